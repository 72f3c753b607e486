# removes the training texts from the largest class but not from the total
def majority_accuracy(class_sizes, per_class):
    sizes = np.asarray(class_sizes)
    if per_class < 1 or per_class >= sizes.min():
        raise ValueError(f"per_class must be between 1 and {sizes.min() - 1}, got {per_class}")
    return float((sizes.max() - per_class) / sizes.sum())


margin = 0.55 - majority_accuracy([300, 150, 100, 50], 20)
print(f"margin over always answering the largest class: {margin:+.3f}")
