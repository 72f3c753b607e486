"""Measuring and removing a bias direction in word vectors (lesson 04).

* :func:`definitional_pca` and :func:`gender_direction`: the direction that separates
  definitional pairs such as she/he, woman/man (Bolukbasi et al. 2016);
* :func:`projections`: how far each word leans along a direction (cosine);
* :func:`weat`: the Word Embedding Association Test with its permutation p-value
  (Caliskan, Bryson & Narayanan 2017);
* :func:`neutral_words`: the words a debiasing method should treat as gender-neutral
  (leaving out :data:`GENDER_SPECIFIC` words and :data:`FIRST_NAMES`);
* :func:`neutralize` and :func:`recoverability`: the *neutralise* step of hard debiasing
  (Bolukbasi et al. 2016 follow it by *equalising* gendered pairs, which does not touch the
  neutral words), and the checks that show what it leaves behind (Gonen & Goldberg 2019).

Every function takes a ``WordVectors`` (``embedlab.vectors``) and works on unit vectors,
so a word's length (roughly its frequency) never counts as bias.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from embedlab.vectors import WordVectors

__all__ = [
    "DEFINITIONAL_PAIRS",
    "GENDER_SPECIFIC",
    "FIRST_NAMES",
    "neutral_words",
    "definitional_pca",
    "gender_direction",
    "projections",
    "WEATResult",
    "weat",
    "neutralize",
    "recoverability",
]

# Bolukbasi et al. (2016), the ten pairs that define gender; female word first.
DEFINITIONAL_PAIRS = (
    ("she", "he"), ("her", "his"), ("woman", "man"), ("mary", "john"), ("herself", "himself"),
    ("daughter", "son"), ("mother", "father"), ("gal", "guy"), ("girl", "boy"), ("female", "male"),
)

# Words whose gender is part of their meaning (after Bolukbasi et al.'s gender-specific list,
# written by hand for this course, not their list): they must not be neutralised.
GENDER_SPECIFIC = frozenset("""
    actor actors actress actresses aunt aunts bachelor bachelors ballerina baron baroness beard
    bearded beau boy boyfriend boyfriends boyhood boys breast breastfeeding breasts bride
    bridegroom brides brother brotherhood brothers businessman businessmen businesswoman
    businesswomen cervical chairman chairmen chairwoman congressman congressmen congresswoman
    countess countesses cowboy cowboys cowgirl dad daddy dads daughter daughter-in-law daughters
    diva divas duchess duke dukes emperor emperors empress estrogen father fatherhood fatherland
    fathers female females feminine feminism feminist feminists fetal fetus fiance fiancee
    fiancé fiancée fireman firemen fraternity gal gals gentleman gentlemen girl girlfriend
    girlfriends girlhood girls goddess goddesses granddaughter granddaughters grandfather
    grandfathers grandma grandmother grandmothers grandpa grandson grandsons groom grooms guy
    guys he heiress her heroine heroines hers herself him himself his hostess hostesses
    housewife housewives husband husbands king kings lad ladies lads lady lesbian lesbians lord
    lords macho madam maid maiden maids male mama man manhood manly masculine maternal maternity
    matriarch men menopause mens menstrual mom mommy moms monk monks mother motherhood
    motherland mothers mr mr. mrs mrs. ms ms. nephew nephews niece nieces nun nuns ovarian
    ovaries paternal paternity patriarch penis policeman policemen policewoman pregnancies
    pregnancy pregnant prince princes princess princesses prostate queen queens salesman
    saleswoman schoolboy schoolboys schoolgirl schoolgirls semen she sir sister sisterhood
    sisters son sons sorority sperm spokesman spokesmen spokeswoman spokeswomen sportsman
    sportsmen sportswoman statesman stepdaughter stepfather stepmother stepson stepsons
    testicular testosterone uncle uncles uterus vagina vaginal waiter waitress waitresses widow
    widower widows wife witch witches wives woman womanhood womb women womens
""".split())

# Common English and some other first names (hand-made, incomplete). A first name carries a gender
# by convention, so a bias test on "neutral" words should leave them out too.
FIRST_NAMES = frozenset("""
    aaron abdul abigail abraham ada adam adrian agnes ahmed alan albert alberto alex alexander
    alexei alfred alfredo ali alice alicia alison allan allen alma alvin amanda amelia amy ana
    andre andrea andrei andrew andy angela angelina anita ann anna anne annette annie anthony
    antonio ariel armando arnold arthur ashley audrey barbara barry bathsheba beatrice ben
    benjamin bernard bernice bertha beth betty beverly beyonce billy bobby bonnie boris brad
    bradley brandon brenda brent brett brian britney brittany bruce bryan byron calvin carl
    carla carlos carmen carolyn carrie casey catherine cathy cecil cecilia celine chad charles
    charlie charlotte cheryl chester chloe chris christian christina christine christopher cindy
    claire clara clarence claude claudia clayton clifford clifton clinton clyde cody condoleezza
    connie corey cory craig cristina curtis cynthia dan dana daniel danielle danny darlene
    darrell darren darryl daryl dave david debbie deborah debra delilah denise dennis derek
    derrick diana diane dieter dinah dmitry dolly dolores donald donna doris dorothy douglas
    duane dustin dwayne dwight eddie edgar edith edna eduardo edward edwin ehud eileen elaine
    eleanor elena elijah elisabeth elizabeth ella ellen elmer elsie emily emma enrique eric
    erica erik erin ernest esther ethel eugene eva evelyn everett felix fernando florence floyd
    frances francis francisco francois franklin fred freddie frederick gabriel gail gary george
    gerald geraldine gilbert gina giovanni giuseppe gladys glenn gloria gordon greg gregory
    hannah hans harold harry harvey hassan heather hector heidi helen helena henry herbert
    herman hillary howard hugh ian ida igor irene irina isaac isabel isabella ivan jacob
    jacqueline jacques jaime james jamie jane janet janice jared jason javier jay jean-pierre
    jeanette jeanne jeff jeffery jeffrey jennifer jeremy jerome jerry jesse jessica jessie jesus
    jezebel jill jim jimmie jimmy joan joann joanne joe joel john johnnie johnny jon jonathan
    jordan jorge jose joseph josephine joshua joyce juan juanita judith judy julia julian julie
    julio jurgen justin karen karl kate katherine kathleen kathryn kathy katie keith kelly ken
    kenneth kent kevin kim kimberly klaus kobe kristen kurt kyle larry laura lauren laurie
    lawrence leah lebron lee leo leon leonard leroy leslie lester lewis lillian linda lisa liz
    lloyd lois lonnie loretta lori lorraine louis louise lucille lucy luigi luis lydia lynn
    madeleine maggie mahmoud manuel marc marco marcus margaret maria mariah marianne marie
    marilyn mario marion marjorie marshall martha martin martina marvin mary mathew matthew
    maurice megan melanie melissa melvin mia michael micheal michele michelle miguel mike
    mikhail mildred milton miriam mitchell mohammad mohammed mona monica morris moses moshe
    nadia nancy naomi natalia natalie nathan nathaniel neil nelson nicholas nicole nikolai nina
    nora norma olga olivia omar oprah osama oscar pamela paolo patricia patrick patty paul paula
    pauline pedro peggy perry peter peyton philip phillip phyllis pierre rachel rafael ralph
    ramon randall randy raul raymond rebecca reginald rene renee rhonda ricardo richard rick
    ricky rita robert roberta roberto rodney roger roland ron ronald ronnie rosa rosemary ross
    roy ruben russell ruth ryan saddam sally salvador sam samantha samuel sandra sara sarah saul
    scott sean serena sergei sergio seth shakira shane shannon shaq sharon shawn sheila sherry
    shimon shirley sidney solomon sophia sophie stacy stanley stephanie stephen steve steven
    susan susanna suzanne svetlana sylvia tamar tammy tara tariq tatiana ted teresa terrance
    terrence terry thelma theodore theresa thomas tiffany tim timothy tina todd tom tommy tony
    tracy travis troy tyler tyrone valerie vanessa vera vernon veronica vicki victor viktor
    vincent virgil virginia vivian vladimir wallace walter wanda warren wayne wendy wesley
    whitney willard william willie wolfgang yasser yitzhak yolanda yuri yvonne zachary zoe
""".split())


def _unit(wv: WordVectors, words: Sequence[str]) -> np.ndarray:
    missing = [w for w in words if w not in wv]
    if missing:
        raise KeyError(f"{missing[:5]} not in the vocabulary of {wv.name}; drop them or use another word list")
    return wv.unit_vectors[[wv.index[w] for w in words]].astype(np.float64)


def _usable_pairs(wv: WordVectors, pairs) -> list[tuple[str, str]]:
    usable = [(a, b) for a, b in pairs if a in wv and b in wv]
    if len(usable) < 2:
        raise ValueError(f"need at least two pairs with both words in {wv.name}, got {usable}")
    return usable


def definitional_pca(wv: WordVectors, pairs=DEFINITIONAL_PAIRS) -> tuple[np.ndarray, np.ndarray]:
    """Principal components of the pairs' differences: ``(components, explained_variance_ratio)``.

    Each pair's two unit vectors are centred on their mean, so what remains is what
    separates them; PCA of those points (without re-centring, as Bolukbasi et al. do)
    finds the shared direction. Pairs with a word outside the vocabulary are skipped.
    The first component is oriented towards the first word of the pairs.
    """
    pairs = _usable_pairs(wv, pairs)
    first, second = _unit(wv, [a for a, _ in pairs]), _unit(wv, [b for _, b in pairs])
    middle = (first + second) / 2
    centred = np.concatenate([first - middle, second - middle])
    _, S, Vt = np.linalg.svd(centred, full_matrices=False)
    if np.mean((first - second) @ Vt[0]) < 0:
        Vt[0] = -Vt[0]
    return Vt, S**2 / np.sum(S**2)


def gender_direction(wv: WordVectors, pairs=DEFINITIONAL_PAIRS) -> np.ndarray:
    """The unit vector of :func:`definitional_pca`'s first component (points to she, her, woman...)."""
    return definitional_pca(wv, pairs)[0][0]


def projections(wv: WordVectors, words: Sequence[str], direction) -> np.ndarray:
    """Cosine of each word with ``direction``: > 0 leans to its positive end, < 0 to the other."""
    direction = np.asarray(direction, dtype=np.float64)
    if direction.shape != (wv.dim,):
        raise ValueError(f"direction must have shape ({wv.dim},), got {direction.shape}")
    norm = np.linalg.norm(direction)
    if norm == 0:
        raise ValueError("direction is a zero vector")
    return _unit(wv, words) @ (direction / norm)


@dataclass(frozen=True)
class WEATResult:
    """Effect size (Cohen's d), test statistic and one-sided permutation p-value."""

    effect_size: float
    statistic: float
    p_value: float
    n_permutations: int


def weat(wv: WordVectors, X: Sequence[str], Y: Sequence[str], A: Sequence[str], B: Sequence[str],
         n_permutations: int = 10_000, seed: int = 0) -> WEATResult:
    """Are targets ``X`` closer to attributes ``A`` (and ``Y`` to ``B``) than chance allows?

    ``s(w) = mean cos(w, A) - mean cos(w, B)``; statistic ``S = sum_X s - sum_Y s``;
    effect size ``(mean_X s - mean_Y s) / std_{X u Y} s``. The p-value is the share of
    random re-splittings of ``X u Y`` into two sets of the original sizes whose statistic
    reaches ``S`` (plus one, so it is never exactly 0).
    """
    for name, group in (("X", X), ("Y", Y), ("A", A), ("B", B)):
        if len(group) < 2:
            raise ValueError(f"word set {name} needs at least two words, got {list(group)}")
    if not isinstance(n_permutations, (int, np.integer)) or n_permutations < 1:
        raise ValueError(f"n_permutations must be a positive integer, got {n_permutations!r}")
    targets = _unit(wv, list(X) + list(Y))
    s = (targets @ _unit(wv, A).T).mean(axis=1) - (targets @ _unit(wv, B).T).mean(axis=1)
    n_x = len(X)
    s_x, s_y = s[:n_x], s[n_x:]
    statistic = s_x.sum() - s_y.sum()
    effect = (s_x.mean() - s_y.mean()) / s.std(ddof=1)
    # Each row of `chosen` picks a random n_x-subset of X u Y to play X; S_perm = 2 sum_X - sum_all.
    rng = np.random.default_rng(seed)
    chosen = rng.random((n_permutations, len(s))).argsort(axis=1)[:, :n_x]
    permuted = 2 * s[chosen].sum(axis=1) - s.sum()
    p_value = (np.sum(permuted >= statistic - 1e-12) + 1) / (n_permutations + 1)
    return WEATResult(float(effect), float(statistic), float(p_value), int(n_permutations))


def neutral_words(wv: WordVectors, n: int = 20_000, exclude=()) -> list[str]:
    """The ``n`` most frequent words of ``wv`` that should not carry a gender: alphabetic,
    not in :data:`GENDER_SPECIFIC` or :data:`FIRST_NAMES`, not in the definitional pairs
    or in ``exclude`` (e.g. the attribute words of a WEAT). The word lists are hand-made
    and incomplete, so look at the words that lean most before trusting a result."""
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    drop = GENDER_SPECIFIC | FIRST_NAMES | {w for pair in DEFINITIONAL_PAIRS for w in pair} | set(exclude)
    return [w for w in wv.words[:n] if w.isalpha() and w not in drop]


def neutralize(wv: WordVectors, direction, words: Sequence[str] | None = None) -> WordVectors:
    """Neutralise (the first step of hard debiasing): remove the ``direction`` component from
    the unit vectors of ``words`` (default: every word), leaving the other words' unit vectors
    as they are. Bolukbasi et al. then *equalise* gendered pairs (grandmother/grandfather)
    so both are equally far from every neutral word; that step does not change neutral words."""
    direction = np.asarray(direction, dtype=np.float32)
    if direction.shape != (wv.dim,):
        raise ValueError(f"direction must have shape ({wv.dim},), got {direction.shape}")
    g = direction / np.linalg.norm(direction)
    vectors = wv.unit_vectors.copy()
    rows = slice(None) if words is None else [wv._row(w) for w in words]
    vectors[rows] -= np.outer(vectors[rows] @ g, g)
    return WordVectors(wv.words, vectors, name=f"{wv.name}, neutralised")


def recoverability(original: WordVectors, debiased: WordVectors, direction, n: int = 500,
                   candidates: Sequence[str] | None = None, seed: int = 0) -> dict[str, float]:
    """How much of the *original* bias the *debiased* vectors still carry (Gonen & Goldberg 2019).

    Takes the ``n`` words leaning most to each end of ``direction`` in ``original``
    (among ``candidates``, default all words) and tries to tell the two sides apart from
    their debiased vectors alone:

    * ``"kmeans"``: accuracy of two k-means clusters against the sides (no labels used);
    * ``"classifier"``: 5-fold cross-validated accuracy of a logistic regression, i.e. on
      words it was not trained on.

    1.0 means the original sides are fully recoverable. 0.5 means *these two probes* cannot
    tell them apart, which does not prove that no trace is left. Give ``candidates`` without
    gender-specific words and names (:func:`neutral_words`): those are gendered by meaning,
    and would make the test measure that instead of bias.
    """
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    words = list(candidates) if candidates is not None else original.words
    if 2 * n > len(words):
        raise ValueError(f"need at least {2 * n} candidate words, got {len(words)}")
    order = np.argsort(projections(original, words, direction))
    chosen = [words[i] for i in np.concatenate([order[:n], order[-n:]])]
    side = np.repeat([0, 1], n)
    X = _unit(debiased, chosen)
    clusters = KMeans(2, n_init=10, random_state=seed).fit_predict(X)
    agreement = np.mean(clusters == side)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    accuracy = cross_val_score(LogisticRegression(max_iter=1000), X, side, cv=folds).mean()
    return {"kmeans": float(max(agreement, 1 - agreement)), "classifier": float(accuracy)}
