# cross-validates correctly but forgets to standardise the features
def probe_transfer(X_train, y_train, X_test, y_test, C_grid):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    search = GridSearchCV(LogisticRegression(max_iter=2000), {"C": list(C_grid)},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0)).fit(X_train, y_train)
    return float(search.best_params_["C"]), float((search.predict(X_test) == np.asarray(y_test)).mean())
