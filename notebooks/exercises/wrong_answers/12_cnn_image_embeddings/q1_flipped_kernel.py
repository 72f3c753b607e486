# a true convolution (kernel flipped), not the cross-correlation deep-learning libraries compute
def residual_block(x, w1, w2):
    def conv3x3(h, w):
        w = w[:, :, ::-1, ::-1]
        C, H, W = h.shape
        padded = np.pad(h, ((0, 0), (1, 1), (1, 1)))
        out = np.zeros((w.shape[0], H, W))
        for a in range(3):
            for b in range(3):
                out += np.einsum("oc,chw->ohw", w[:, :, a, b], padded[:, a:a + H, b:b + W])
        return out

    x = np.asarray(x, dtype=float)
    h = np.maximum(conv3x3(x, w1), 0.0)
    return np.maximum(conv3x3(h, w2) + x, 0.0)
