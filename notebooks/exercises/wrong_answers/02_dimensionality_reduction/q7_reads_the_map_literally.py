# reads the map literally: sizes and distances between islands taken at face value
justified = {"a", "c", "d", "e"}
