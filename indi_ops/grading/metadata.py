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
# Error name the sandbox gives cells it could not run because the kernel died (sandbox.py writes it).
KERNEL_DIED = "KernelDied"
# Cell-metadata key of the check cells the grader inserts for one run (canaries, kernel probes); the
# kernel never sees cell metadata, and the cells are removed right after the run (indi_ops.grading.tamper).
CHECK_CELL_KEY = "indi_check"
# Resources key: active content removed from a notebook's outputs or markdown (indi_ops.grading.sanitize).
SANITIZED_KEY = "indi_sanitized"
# Feedback: the note a test cell gets when its hidden tests failed (their output is never shown).
HIDDEN_FAILED = "Hidden tests in this cell did not pass (they and their output are not shown)."
