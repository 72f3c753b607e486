"""nbgrader's tools in `make lab-instructor` work on the folder `make grade` writes.

`make grade SUBMISSIONS=dir` keeps nbgrader's course folder and sqlite gradebook in
build/grading/ (started afresh by each run); the formgrader opens them, e.g. for manual grading.
"""

from pathlib import Path

GRADING = Path(__file__).resolve().parents[2] / "build" / "grading"

c = get_config()  # noqa: F821 (provided by Jupyter when it loads this file)

c.CourseDirectory.course_id = "embedlab"  # embedlab.course.grading.COURSE_ID
c.CourseDirectory.root = str(GRADING / "course")
c.CourseDirectory.db_url = f"sqlite:///{GRADING / 'gradebook.db'}"
