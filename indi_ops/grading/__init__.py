"""Grading: nbgrader settings and preprocessors, the sandbox, class grading, collecting submissions."""
