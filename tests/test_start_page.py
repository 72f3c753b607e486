"""notebooks/START_HERE.md, the page `make lab` opens first: its syllabus matches the course.

Every lesson is listed, in order, with its title (or the start of it), a working link and its lecture time
(the lecture plan in its first cell); every exercise with a working link and the number of
questions and points its nbgrader metadata gives (and its first cell states).
"""

import json
import re

from embedlab import course
from embedlab.course import lab

START = course.LESSONS_DIR / "START_HERE.md"
ROW = re.compile(r"^\| (\d\d) \| \[([^\]]+)\]\(([^)]+)\) \| (\d+) min \| "
                 r"\[(\d+) questions?, (\d+) points?\]\(([^)]+)\) \|$", re.M)
WORDS = {"One": 1, "Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6, "Seven": 7, "Eight": 8}


def _cells(path):
    return json.loads(path.read_text())["cells"]


def test_the_start_page_is_what_the_lab_opens_and_not_a_lesson():
    assert lab.START_PAGE == START and START.is_file()
    assert START not in course.notebooks()
    config = (lab.JUPYTER_DIR / "jupyter_server_config.py").read_text()
    assert f'"/lab/tree/{START.name}"' in config


def test_the_syllabus_lists_every_lesson_in_order_with_its_lecture_time():
    rows = ROW.findall(START.read_text())
    lessons = course.notebooks()
    assert [link for _, _, link, *_ in rows] == [p.name for p in lessons]
    for (number, title, link, minutes, *_), path in zip(rows, lessons):
        first = "".join(_cells(path)[0]["source"])
        assert path.name.startswith(number + "_")
        plan = re.search(r"Lecture plan \((\d+) min\)", first)
        assert plan and plan.group(1) == minutes, f"{path.name}: {minutes} min in START_HERE.md"
        heading = first.splitlines()[0].split(" · ", 1)[-1]
        assert heading.startswith(title), \
            f"{path.name}: START_HERE.md calls it {title!r}; its heading (or the start of it) is {heading!r}"


def test_the_syllabus_gives_each_exercise_its_questions_and_points():
    rows = ROW.findall(START.read_text())
    for number, _, lesson, _, questions, points, link in rows:
        path = course.LESSONS_DIR / link
        assert link == f"exercises/{lesson}" and path.is_file(), link
        graded = [c["metadata"]["nbgrader"] for c in _cells(path)
                  if c["metadata"].get("nbgrader", {}).get("grade")]
        assert (int(questions), int(points)) == (len(graded), sum(g["points"] for g in graded)), \
            (f"{link}: {len(graded)} questions, {sum(g['points'] for g in graded):g} points in its tests; "
             "update notebooks/START_HERE.md")
        first = "".join(_cells(path)[0]["source"])
        stated = re.search(r"(\w+) (?:short )?questions .*?(\d+) points in all", first, re.S)
        assert stated and (WORDS.get(stated.group(1)), stated.group(2)) == (int(questions), points), \
            f"{link}: its first cell says {stated.group(0) if stated else 'nothing'!r}"


def test_the_start_page_links_resolve():
    for target in re.findall(r"\]\(([^)#]+)\)", START.read_text()):
        if "://" not in target:
            assert (START.parent / target).exists(), f"START_HERE.md links to a missing {target}"
