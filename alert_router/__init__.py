"""HarborList alert router: CloudWatch alarms and platform alerts → PagerDuty, Slack, SMS, e-mail.

Data flows one way: ``events`` (split a Lambda event into notifications) → ``normalize`` (one
``Alert`` per notification) → ``enrich`` → ``routing`` → ``suppression`` → ``plan`` (render every
request) → ``router`` (state and delivery at the edge). ``handler.lambda_handler`` is the entry
point. Only the standard library and boto3 are imported, and boto3 only when a client is needed.
"""
