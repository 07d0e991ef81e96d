"""The domain core: pure functions over the lever catalogue and the retriever, no HTTP."""
