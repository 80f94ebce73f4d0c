"""Names the grading path shares: notebook-metadata keys, resource keys, hidden-test markers, limits.

One module, so the sandbox, the preprocessors and the class-grading command agree on every key.
"""

# A lab cell that runs longer than this is interrupted and scores 0; grading goes on (nbgrader Execute).
CELL_TIMEOUT_S = 300
# Notebook-metadata key where the course's preprocessors hand their findings on (and mark "done").
META_KEY = "indi_grading"
# Resources key where the sandboxed execution leaves problems for FlagProblems to record.
FLAGS_KEY = "indi_flags"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
REDACTED = "[output removed from feedback: it quoted hidden test code]"
