# calls the course's torch loss (the question rules embedlab.finetune and torch out)
def info_nce(anchors, positives, scale=20.0):
    import torch
    from embedlab import finetune
    return float(finetune.mnrl_loss(torch.as_tensor(np.asarray(anchors, dtype=float)),
                                    torch.as_tensor(np.asarray(positives, dtype=float)), scale=scale))
