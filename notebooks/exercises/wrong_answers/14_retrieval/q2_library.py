# trec_eval through pytrec_eval (ruled out by the question)
def ndcg_at_k(ranking, relevant, k):
    import pytrec_eval
    ev = pytrec_eval.RelevanceEvaluator({"q": {str(d): 1 for d in relevant}}, {f"ndcg_cut.{k}"})
    run = {"q": {str(d): float(len(ranking) - i) for i, d in enumerate(ranking)}}
    return float(ev.evaluate(run)["q"][f"ndcg_cut_{k}"])
