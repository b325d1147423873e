"""The retrain workflow's domain logic: one module per Step Functions task, plus approvals.

    training_data  base CSV + labelled feedback -> training.csv (and the S3 layout)
    candidate      train task: train with the parity gate, register the candidate
    validation     validate task: candidate vs champion on the base holdout
    approvals      approval requests stored in the registry table
    decisions      an operator's approve or reject, sent to the waiting workflow
    promotion      promote task: the registry's promotion transaction
    outcomes       notify task: audit entry and SNS message for each ending
    execution      start an execution by hand

The Lambda handlers in lambdas/retrain/ only parse their event and call these.
"""
