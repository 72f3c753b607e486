# lets torch autograd compute the gradient instead of deriving it
def infonce_logit_gradient(logits):
    import torch
    t = torch.tensor(np.asarray(logits, dtype=float), requires_grad=True)
    target = torch.arange(len(t))
    loss = (torch.nn.functional.cross_entropy(t, target) + torch.nn.functional.cross_entropy(t.T, target)) / 2
    loss.backward()
    return t.grad.numpy()
