"""INDI Lab's teacher and operator package: grading, the grading sandbox, class hub administration, bench.

Never shipped to participants and never imported by the learner package ``indi`` (imports point one way:
``indi_ops`` → ``indi``). The command line is ``indi-ops`` (:mod:`indi_ops.cli`).
"""
