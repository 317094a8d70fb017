"""Assessment of asset versions: one ``AssetEvaluated`` per asset version."""
