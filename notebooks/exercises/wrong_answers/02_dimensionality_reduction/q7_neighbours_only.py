# keeps only the neighbour statement and misses that a shared island means closeness in the data
justified = {"e"}
