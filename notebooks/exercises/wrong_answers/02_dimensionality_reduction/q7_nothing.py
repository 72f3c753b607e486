# trusts nothing the map shows, not even its neighbourhoods
justified = set()
