# chooses C by accuracy on the training labels it was fitted on (always favours the weakest regularisation)
def probe_transfer(X_train, y_train, X_test, y_test, C_grid):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    scaler = StandardScaler().fit(X_train)
    best = None
    for C in C_grid:
        model = LogisticRegression(C=C, max_iter=2000).fit(scaler.transform(X_train), y_train)
        score = (model.predict(scaler.transform(X_train)) == np.asarray(y_train)).mean()
        if best is None or score > best[0]:
            best = (score, float(C), model)
    _, C, model = best
    return C, float((model.predict(scaler.transform(X_test)) == np.asarray(y_test)).mean())
