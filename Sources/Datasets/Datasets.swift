// Datasets: RSNA tables, the packed multi-resolution store, the batch loader.
