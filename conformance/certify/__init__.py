"""Certification: the main job for one profile, its signed evidence bundle, and the tools around it.

`python -m conformance.certify run` chains conformance → load smoke → summary → Allure HTML →
signed bundle → leak scan; `verify`, `leak-scan`, `drift` and `allure-html` are the steps a
partner or a CI job runs on their own. Nothing here imports pytest or locust: both run as
subprocesses, so this package stays importable (and fast) anywhere.
"""
