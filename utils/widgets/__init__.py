"""The chapter's widgets: anywidget views whose JavaScript recomputes the attention maths in the browser.

Each widget takes `lang='en'` or `'ko'`. The view writes only input traits (the query, the temperature, ...);
Python recomputes the outputs (`weights`, ...) with `utils`, so they are torch's numbers even with no browser.
Each shows a challenge above its controls (utils/widgets/challenges.py); `widget.challenge_solved` turns True when the
reader reaches it, and stays True.
"""

from .database_explorer import DatabaseExplorer
from .heatmap_explorer import HeatmapExplorer
from .kernel_regression_explorer import KernelRegressionExplorer
from .projection_explorer import ProjectionExplorer
from .query_explorer import QueryExplorer

__all__ = ["DatabaseExplorer", "HeatmapExplorer", "KernelRegressionExplorer", "ProjectionExplorer", "QueryExplorer"]
