"""The interactive SolaraViz dashboard: its model wrapper, views and browser assets."""
