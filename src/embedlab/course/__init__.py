"""Course tooling (not lesson content): release and grading of exercises, slides, book helpers."""
