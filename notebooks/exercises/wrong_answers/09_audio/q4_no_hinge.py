# forgets the hinge max(0, .): satisfied triplets subtract from the loss
def batch_all_triplet_loss(Z, labels, margin=0.2):
    labels = torch.as_tensor(labels)
    d = 1.0 - Z @ Z.T
    same = labels[:, None] == labels[None, :]
    positive = same & ~torch.eye(len(labels), dtype=torch.bool)
    valid = positive[:, :, None] & ~same[:, None, :]
    return (d[:, :, None] - d[:, None, :] + margin)[valid].mean()
