# also counts b, which is true of the data but cannot be read off the map (distances between islands mean nothing)
justified = {"a", "b", "e"}
