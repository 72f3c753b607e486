# counts the anchor as its own positive (a == p), adding easy triplets that dilute the mean
def batch_all_triplet_loss(Z, labels, margin=0.2):
    labels = torch.as_tensor(labels)
    d = 1.0 - Z @ Z.T
    same = labels[:, None] == labels[None, :]
    valid = same[:, :, None] & ~same[:, None, :]
    hinge = torch.relu(d[:, :, None] - d[:, None, :] + margin)
    return hinge[valid].mean()
