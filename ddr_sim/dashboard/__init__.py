"""The interactive Solara dashboard: its model, views and browser assets."""
