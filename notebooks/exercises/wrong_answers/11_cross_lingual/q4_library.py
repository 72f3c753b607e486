# calls the course's verse alignment instead of writing it
from embedlab import crosslingual


def dice_seed(source_lines, target_lines, min_count):
    src_words = sorted({w for line in source_lines for w in line.split()})
    tgt_words = sorted({w for line in target_lines for w in line.split()})
    seed = crosslingual.verse_alignment(source_lines, target_lines, src_words, tgt_words, min_count=min_count, min_dice=0)
    return {s: t[0] for s, t in seed.items()}
