"""What runs inside a submission's kernel when it is graded (untrusted territory).

Nothing here decides a grade: :mod:`autograder.run.agent` only answers the
trusted harness's requests (call this function, read that attribute) with
plain data, through :mod:`autograder.protocol`.
"""
