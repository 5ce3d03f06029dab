"""The alarm catalog: every signal HarborList alarms on, as data.

One row per rule. The builder (`components/alarms.py`) turns rows × watched resources into
CloudWatch alarms; the settings parser checks threshold and override keys against this table;
the router's routing configuration and the runbooks are keyed by the same rule ids. Nothing here
imports Pulumi, so offline tools and tests read it directly.

Thresholds live in stack configuration under `thresholds.<service>.<key>`; the defaults below
are the design document's seed values (and AWS's recommended alarms where the seed is silent).
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")

# What a rule is evaluated against: one alarm per watched resource of that kind.
TARGET_KINDS = (
    "ec2",  # an Auto Scaling group or an instance (dimension chosen per resource)
    "rds",
    "dynamodb",
    "dynamodb_provisioned",  # only tables whose billing mode is PROVISIONED
    "api",
    "lambda",
    "account",  # account-wide Lambda metrics: one alarm per stack
    "platform",  # the platform's own custom metrics: one alarm per stack
    "health_check",  # the Route 53 health check of the API's health URL (us-east-1 only)
)


@dataclass(frozen=True)
class Threshold:
    """A configurable threshold: its key under `thresholds.`, seed default and valid range."""

    service: str
    key: str
    default: float
    minimum: float
    maximum: float
    unit: str

    @property
    def path(self) -> str:
        return f"{self.service}.{self.key}"


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("ec2", "cpuPercent", 80, 0, 100, "%"),
    Threshold("ec2", "memoryPercent", 85, 0, 100, "%"),
    Threshold("ec2", "diskPercent", 90, 0, 100, "%"),
    Threshold("ec2", "statusCheckFailed", 1, 1, 1, "failed checks"),
    Threshold("rds", "connections", 80, 1, 100_000, "connections"),
    Threshold("rds", "readLatencySeconds", 0.2, 0, 60, "s"),
    Threshold("rds", "writeLatencySeconds", 0.2, 0, 60, "s"),
    Threshold("rds", "freeStorageBytes", 2_000_000_000, 0, 64 * 2**40, "bytes"),
    Threshold("rds", "cpuPercent", 90, 0, 100, "%"),
    Threshold("rds", "freeableMemoryBytes", 256 * 2**20, 0, 2**40, "bytes"),
    Threshold("dynamodb", "throttledRequests", 1, 1, 1_000_000, "requests"),
    Threshold("dynamodb", "latencyMs", 100, 0, 60_000, "ms"),
    Threshold("dynamodb", "consumedCapacityPercent", 80, 0, 100, "%"),
    Threshold("dynamodb", "systemErrors", 1, 1, 1_000_000, "errors"),
    Threshold("apiGateway", "errorRatePercent", 5, 0, 100, "%"),
    Threshold("apiGateway", "clientErrorRatePercent", 10, 0, 100, "%"),
    Threshold("apiGateway", "latencyMs", 1000, 0, 30_000, "ms"),
    Threshold("apiGateway", "degradedLatencyMs", 2000, 0, 30_000, "ms"),
    Threshold("apiGateway", "healthyCheckers", 1, 1, 1, "(1 = healthy)"),
    Threshold("lambda", "durationMs", 10_000, 0, 900_000, "ms"),
    Threshold("lambda", "errors", 1, 1, 1_000_000, "errors"),
    Threshold("lambda", "throttles", 1, 1, 1_000_000, "throttles"),
    Threshold("lambda", "accountConcurrentExecutions", 900, 1, 100_000, "executions"),
    Threshold("application", "functionErrors", 5, 1, 1_000_000, "errors"),
    Threshold("application", "scanDurationMs", 2000, 1, 900_000, "ms"),
    Threshold("business", "revenueBandWidth", 2, 0.5, 10, "standard deviations"),
    Threshold("business", "minRegistrations", 1, 1, 1_000_000, "registrations"),
    Threshold("business", "activityBandWidth", 3, 0.5, 10, "standard deviations"),
)

THRESHOLDS_BY_PATH = {t.path: t for t in THRESHOLDS}


@dataclass(frozen=True)
class MetricStat:
    """One metric of a rule. `dimensions` names the dimension keys filled per resource."""

    id: str
    namespace: str
    metric_name: str
    stat: str
    dimensions: tuple[str, ...] = ()
    label: str = ""
    # Dimensions with a fixed value, e.g. DynamoDB's per-operation metrics.
    fixed: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class AlarmRule:
    """One catalog row. Either `metric` (a single metric) or `metrics` + `expression`.

    `expression` may use `{band}` for an anomaly-detection band width taken from the
    threshold; anomaly rules set `anomaly=True` and compare against the band.
    """

    rule: str
    title: str
    group: str  # infrastructure | application | business
    target: str
    threshold: str  # a key of THRESHOLDS_BY_PATH
    comparison: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing_data: str
    severity: str
    pagerduty_service: str
    what: str  # "what is wrong", completed with the threshold in the alarm description
    metric: MetricStat | None = None
    metrics: tuple[MetricStat, ...] = ()
    expression: str = ""
    anomaly: bool = False
    channels: tuple[str, ...] | None = None  # None: the severity's channels
    notify_insufficient_data: bool = False
    # Rules whose alarms are children of `system-down`: their notifications are suppressed
    # while the platform is down, so the outage pages once.
    explained_by_system_down: bool = False


API_DIMS = ("ApiName", "Stage")
DYNAMODB_OPERATIONS = (
    "GetItem",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
)

RULES: tuple[AlarmRule, ...] = (
    # --- EC2 (per Auto Scaling group or instance) ---------------------------------------
    AlarmRule(
        rule="high-cpu-usage",
        title="EC2 CPU utilisation high",
        group="infrastructure",
        target="ec2",
        threshold="ec2.cpuPercent",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="missing",
        severity="HIGH",
        channels=("slack-ops", "email-oncall"),
        pagerduty_service="platform",
        what="EC2 CPU utilisation is above",
        metric=MetricStat("m1", "AWS/EC2", "CPUUtilization", "Average"),
    ),
    AlarmRule(
        rule="memory-usage-high",
        title="EC2 memory use high",
        group="infrastructure",
        target="ec2",
        threshold="ec2.memoryPercent",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        # The agent stopping leaves the alarm in INSUFFICIENT_DATA, which notifies: worth
        # seeing, but not the same page as memory exhaustion.
        treat_missing_data="missing",
        severity="HIGH",
        pagerduty_service="platform",
        what="Memory in use (CloudWatch agent) is above",
        metric=MetricStat("m1", "CWAgent", "mem_used_percent", "Average"),
        notify_insufficient_data=True,
    ),
    AlarmRule(
        rule="disk-space-low",
        title="EC2 disk almost full",
        group="infrastructure",
        target="ec2",
        threshold="ec2.diskPercent",
        comparison="GreaterThanThreshold",
        period=600,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="missing",
        severity="CRITICAL",
        channels=("slack-critical", "pagerduty", "sms-oncall"),
        pagerduty_service="platform",
        what="Disk space in use (CloudWatch agent) is above",
        metric=MetricStat("m1", "CWAgent", "disk_used_percent", "Maximum"),
        notify_insufficient_data=True,
    ),
    AlarmRule(
        rule="instance-status-check-failed",
        title="EC2 status check failing",
        group="infrastructure",
        target="ec2",
        threshold="ec2.statusCheckFailed",
        comparison="GreaterThanOrEqualToThreshold",
        period=60,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="missing",
        severity="HIGH",
        pagerduty_service="platform",
        what="EC2 status checks failed at least",
        metric=MetricStat("m1", "AWS/EC2", "StatusCheckFailed", "Maximum"),
    ),
    # --- RDS ------------------------------------------------------------------------------
    AlarmRule(
        rule="db-connections-high",
        title="RDS connections high",
        group="infrastructure",
        target="rds",
        threshold="rds.connections",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="missing",
        severity="HIGH",
        pagerduty_service="data",
        what="Open database connections are above",
        metric=MetricStat("m1", "AWS/RDS", "DatabaseConnections", "Average"),
    ),
    AlarmRule(
        rule="db-read-latency-high",
        title="RDS read latency high",
        group="infrastructure",
        target="rds",
        threshold="rds.readLatencySeconds",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="missing",
        severity="MEDIUM",
        pagerduty_service="data",
        what="Average read latency is above",
        metric=MetricStat("m1", "AWS/RDS", "ReadLatency", "Average"),
    ),
    AlarmRule(
        rule="db-write-latency-high",
        title="RDS write latency high",
        group="infrastructure",
        target="rds",
        threshold="rds.writeLatencySeconds",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="missing",
        severity="MEDIUM",
        pagerduty_service="data",
        what="Average write latency is above",
        metric=MetricStat("m1", "AWS/RDS", "WriteLatency", "Average"),
    ),
    AlarmRule(
        rule="db-storage-low",
        title="RDS free storage low",
        group="infrastructure",
        target="rds",
        threshold="rds.freeStorageBytes",
        comparison="LessThanThreshold",
        period=600,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="missing",
        severity="CRITICAL",
        pagerduty_service="data",
        what="Free storage space is below",
        metric=MetricStat("m1", "AWS/RDS", "FreeStorageSpace", "Minimum"),
    ),
    AlarmRule(
        rule="db-cpu-high",
        title="RDS CPU utilisation high",
        group="infrastructure",
        target="rds",
        threshold="rds.cpuPercent",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="missing",
        severity="HIGH",
        pagerduty_service="data",
        what="Database CPU utilisation is above",
        metric=MetricStat("m1", "AWS/RDS", "CPUUtilization", "Average"),
    ),
    AlarmRule(
        rule="db-memory-low",
        title="RDS freeable memory low",
        group="infrastructure",
        target="rds",
        threshold="rds.freeableMemoryBytes",
        comparison="LessThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="missing",
        severity="MEDIUM",
        pagerduty_service="data",
        what="Freeable memory is below",
        metric=MetricStat("m1", "AWS/RDS", "FreeableMemory", "Average"),
    ),
    # --- DynamoDB -------------------------------------------------------------------------
    AlarmRule(
        rule="dynamodb-throttling",
        title="DynamoDB requests throttled",
        group="infrastructure",
        target="dynamodb",
        threshold="dynamodb.throttledRequests",
        comparison="GreaterThanOrEqualToThreshold",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        # No throttling publishes no datapoints: silence is healthy.
        treat_missing_data="notBreaching",
        severity="HIGH",
        pagerduty_service="data",
        what="Read and write throttle events on the base table reached",
        # ThrottledRequests exists only per operation; these two are per table (base table
        # only: a GSI's throttling has its own GlobalSecondaryIndexName series).
        metrics=(
            MetricStat("reads", "AWS/DynamoDB", "ReadThrottleEvents", "Sum", ("TableName",)),
            MetricStat("writes", "AWS/DynamoDB", "WriteThrottleEvents", "Sum", ("TableName",)),
        ),
        expression="FILL(reads, 0) + FILL(writes, 0)",
    ),
    AlarmRule(
        rule="dynamodb-latency-high",
        title="DynamoDB request latency high",
        group="infrastructure",
        target="dynamodb",
        threshold="dynamodb.latencyMs",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        pagerduty_service="data",
        what="Average successful request latency of the slowest main operation is above",
        # SuccessfulRequestLatency is published per TableName and Operation only.
        metrics=tuple(
            MetricStat(
                op_id,
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                "Average",
                ("TableName",),
                fixed=(("Operation", op),),
            )
            for op_id, op in (
                ("getItem", "GetItem"),
                ("query", "Query"),
                ("putItem", "PutItem"),
                ("updateItem", "UpdateItem"),
            )
        ),
        expression="MAX([getItem, query, putItem, updateItem])",
    ),
    AlarmRule(
        rule="dynamodb-capacity-high",
        title="DynamoDB consumed capacity high",
        group="infrastructure",
        target="dynamodb_provisioned",
        threshold="dynamodb.consumedCapacityPercent",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        pagerduty_service="data",
        what="Consumed read or write capacity, in % of provisioned, is above",
        metrics=(
            MetricStat("rc", "AWS/DynamoDB", "ConsumedReadCapacityUnits", "Sum", ("TableName",)),
            MetricStat(
                "rp", "AWS/DynamoDB", "ProvisionedReadCapacityUnits", "Average", ("TableName",)
            ),
            MetricStat("wc", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum", ("TableName",)),
            MetricStat(
                "wp", "AWS/DynamoDB", "ProvisionedWriteCapacityUnits", "Average", ("TableName",)
            ),
        ),
        # Consumed units are summed over the period; per-second use vs provisioned per second.
        expression="MAX([100 * (rc / PERIOD(rc)) / rp, 100 * (wc / PERIOD(wc)) / wp])",
    ),
    AlarmRule(
        rule="dynamodb-system-errors",
        title="DynamoDB system errors",
        group="infrastructure",
        target="dynamodb",
        threshold="dynamodb.systemErrors",
        comparison="GreaterThanOrEqualToThreshold",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="notBreaching",
        severity="HIGH",
        pagerduty_service="data",
        what="DynamoDB returned server errors (all operations): at least",
        # SystemErrors is published per operation: the alarm adds up the ones the platform uses
        # (nine, CloudWatch's ten-query limit leaves room for the sum).
        metrics=tuple(
            MetricStat(
                op[0].lower() + op[1:],
                "AWS/DynamoDB",
                "SystemErrors",
                "Sum",
                ("TableName",),
                fixed=(("Operation", op),),
            )
            for op in DYNAMODB_OPERATIONS
        ),
        expression="SUM(["
        + ", ".join(f"FILL({op[0].lower() + op[1:]}, 0)" for op in DYNAMODB_OPERATIONS)
        + "])",
    ),
    # --- API Gateway ----------------------------------------------------------------------
    AlarmRule(
        rule="api-error-rate-high",
        title="API 5XX error rate high",
        group="application",
        target="api",
        threshold="apiGateway.errorRatePercent",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="notBreaching",
        severity="HIGH",
        channels=("slack-engineering", "email-leads"),
        pagerduty_service="platform",
        what="5XX responses, in % of requests, are above",
        metrics=(
            MetricStat("errors", "AWS/ApiGateway", "5XXError", "Sum", API_DIMS),
            MetricStat("requests", "AWS/ApiGateway", "Count", "Sum", API_DIMS),
        ),
        expression="100 * errors / requests",
        explained_by_system_down=True,
    ),
    AlarmRule(
        rule="api-client-error-rate-high",
        title="API 4XX error rate high",
        group="application",
        target="api",
        threshold="apiGateway.clientErrorRatePercent",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="notBreaching",
        severity="LOW",
        pagerduty_service="platform",
        what="4XX responses, in % of requests, are above",
        metrics=(
            MetricStat("errors", "AWS/ApiGateway", "4XXError", "Sum", API_DIMS),
            MetricStat("requests", "AWS/ApiGateway", "Count", "Sum", API_DIMS),
        ),
        expression="100 * errors / requests",
    ),
    AlarmRule(
        rule="api-latency-high",
        title="API latency high",
        group="application",
        target="api",
        threshold="apiGateway.latencyMs",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        pagerduty_service="platform",
        what="Average API latency is above",
        metric=MetricStat("m1", "AWS/ApiGateway", "Latency", "Average", API_DIMS),
        explained_by_system_down=True,
    ),
    AlarmRule(
        rule="response-time-degraded",
        title="API response time degraded",
        group="application",
        target="api",
        threshold="apiGateway.degradedLatencyMs",
        comparison="GreaterThanThreshold",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        channels=("slack-performance",),
        pagerduty_service="platform",
        what="p90 API latency is above",
        metric=MetricStat("m1", "AWS/ApiGateway", "Latency", "p90", API_DIMS),
        explained_by_system_down=True,
    ),
    AlarmRule(
        rule="api-health-check-failed",
        title="API health check failing",
        group="application",
        target="health_check",
        threshold="apiGateway.healthyCheckers",
        comparison="LessThanThreshold",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        # A health check that stops reporting is as bad as one that fails.
        treat_missing_data="breaching",
        severity="HIGH",
        pagerduty_service="platform",
        what="Route 53 health status of the API's health URL is below",
        metric=MetricStat("m1", "AWS/Route53", "HealthCheckStatus", "Minimum"),
        explained_by_system_down=True,
    ),
    # --- Lambda ---------------------------------------------------------------------------
    AlarmRule(
        rule="lambda-duration-high",
        title="Lambda duration high",
        group="application",
        target="lambda",
        threshold="lambda.durationMs",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        pagerduty_service="platform",
        what="Average function duration is above",
        metric=MetricStat("m1", "AWS/Lambda", "Duration", "Average"),
    ),
    AlarmRule(
        rule="lambda-errors",
        title="Lambda function errors",
        group="application",
        target="lambda",
        threshold="lambda.errors",
        comparison="GreaterThanOrEqualToThreshold",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="notBreaching",
        severity="HIGH",
        pagerduty_service="platform",
        what="Function errors reached",
        metric=MetricStat("m1", "AWS/Lambda", "Errors", "Sum"),
    ),
    AlarmRule(
        rule="lambda-throttles",
        title="Lambda function throttled",
        group="application",
        target="lambda",
        threshold="lambda.throttles",
        comparison="GreaterThanOrEqualToThreshold",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="notBreaching",
        severity="HIGH",
        pagerduty_service="platform",
        what="Throttled invocations reached",
        metric=MetricStat("m1", "AWS/Lambda", "Throttles", "Sum"),
    ),
    AlarmRule(
        rule="lambda-concurrency-high",
        title="Lambda account concurrency near its quota",
        group="application",
        target="account",
        threshold="lambda.accountConcurrentExecutions",
        comparison="GreaterThanThreshold",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=3,
        treat_missing_data="notBreaching",
        severity="HIGH",
        pagerduty_service="platform",
        what="Concurrent executions across the account are above",
        metric=MetricStat("m1", "AWS/Lambda", "ConcurrentExecutions", "Maximum"),
    ),
    # --- The platform's own application metrics (HarborList/Application) -------------------
    AlarmRule(
        rule="application-errors-high",
        title="Application errors reported by a function",
        group="application",
        target="lambda",
        threshold="application.functionErrors",
        comparison="GreaterThanOrEqualToThreshold",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        pagerduty_service="platform",
        what="Errors the function's own code reported (FunctionErrors) reached",
        # The platform publishes FunctionErrors per FunctionName and ErrorType; the alarm reads
        # the per-function rollup ([FunctionName] dimension set of its EMF lines).
        metric=MetricStat("m1", "HarborList/Application", "FunctionErrors", "Sum"),
    ),
    AlarmRule(
        rule="dynamodb-scan-slow",
        title="DynamoDB scans slow",
        group="application",
        target="dynamodb",
        threshold="application.scanDurationMs",
        comparison="GreaterThanThreshold",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        treat_missing_data="notBreaching",
        severity="MEDIUM",
        pagerduty_service="data",
        what="p90 duration of successful scans measured by the platform's code is above",
        metric=MetricStat(
            "m1",
            "HarborList/Application",
            "OperationDuration",
            "p90",
            fixed=(("Operation", "Scan"), ("Status", "SUCCESS")),
        ),
    ),
    # --- Business (the platform's own metrics) --------------------------------------------
    AlarmRule(
        rule="revenue-drop",
        title="Revenue below its expected level",
        group="business",
        target="platform",
        threshold="business.revenueBandWidth",
        comparison="LessThanLowerThreshold",
        period=3600,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        treat_missing_data="breaching",
        severity="HIGH",
        channels=("slack-business", "email-executives"),
        pagerduty_service="business",
        what="Revenue fell below the lower edge of its expected band, of width",
        metrics=(MetricStat("revenue", "HarborList/Business", "Revenue", "Sum"),),
        expression="ANOMALY_DETECTION_BAND(revenue, {band})",
        anomaly=True,
    ),
    AlarmRule(
        rule="user-registration-stopped",
        title="User registrations stopped",
        group="business",
        target="platform",
        threshold="business.minRegistrations",
        comparison="LessThanThreshold",
        period=1800,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        # No datapoint means no registrations were published at all: that is the signal.
        treat_missing_data="breaching",
        severity="MEDIUM",
        channels=("slack-product",),
        pagerduty_service="business",
        what="Registrations in the window are fewer than",
        metric=MetricStat("m1", "HarborList/Business", "UserRegistrations", "Sum"),
    ),
    AlarmRule(
        rule="low-search-activity",
        title="Search activity far below usual",
        group="business",
        target="platform",
        threshold="business.activityBandWidth",
        comparison="LessThanLowerThreshold",
        period=3600,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        # Searches never stop for two hours on a live marketplace: silence means the
        # publisher or the site is broken.
        treat_missing_data="breaching",
        severity="LOW",
        pagerduty_service="business",
        what="Searches fell below the lower edge of their usual band, of width",
        metrics=(MetricStat("searches", "HarborList/Business", "SearchQueries", "Sum"),),
        expression="ANOMALY_DETECTION_BAND(searches, {band})",
        anomaly=True,
    ),
    AlarmRule(
        rule="low-listing-activity",
        title="Listing creations far below usual",
        group="business",
        target="platform",
        threshold="business.activityBandWidth",
        comparison="LessThanLowerThreshold",
        period=3600,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        # Hours without a new listing are normal at night; the band judges the hours that
        # have data.
        treat_missing_data="notBreaching",
        severity="LOW",
        pagerduty_service="business",
        what="Listing creations fell below the lower edge of their usual band, of width",
        metrics=(MetricStat("listings", "HarborList/Business", "ListingCreations", "Sum"),),
        expression="ANOMALY_DETECTION_BAND(listings, {band})",
        anomaly=True,
    ),
)

RULES_BY_ID = {r.rule: r for r in RULES}


@dataclass(frozen=True)
class NotificationRule:
    """A rule that is not a metric alarm: the composite page, and the platform's own alerts.

    `severity` None: decided per alert from its content (EXPENSIVE_SCAN, by the seed's rule).
    """

    rule: str
    title: str
    severity: str | None
    pagerduty_service: str
    channels: tuple[str, ...] | None = None
    severity_configurable: bool = True


# The single page when the platform is down: a composite of the health check and of the API's
# error rate and latency; while it is in ALARM the children's notifications are suppressed.
SYSTEM_DOWN = NotificationRule("system-down", "HarborList platform down", "CRITICAL", "platform")

# Alerts the platform's own code publishes as JSON to the platform alerts topic (design doc).
PLATFORM_ALERTS = (
    NotificationRule("expensive-scan", "Expensive DynamoDB scan", None, "data"),
    NotificationRule("lambda-function-error", "Lambda function error", "HIGH", "platform"),
    # Anything the router cannot classify is delivered as a generic LOW alert, by definition.
    NotificationRule(
        "unclassified-alert", "Unclassified alert", "LOW", "platform", severity_configurable=False
    ),
)

# Besides the rules CloudWatch mutes (`explained_by_system_down`), alerts the router holds
# back while system-down fires: the symptoms an outage causes downstream.
SYSTEM_DOWN_ALSO_INHIBITS = (
    "api-client-error-rate-high",
    "lambda-errors",
    "lambda-duration-high",
    "user-registration-stopped",
    "low-search-activity",
    "low-listing-activity",
    "lambda-function-error",
)

SYSTEM_DOWN_INHIBITS = (
    tuple(r.rule for r in RULES if r.explained_by_system_down) + SYSTEM_DOWN_ALSO_INHIBITS
)

NOTIFICATION_RULES = {r.rule: r for r in (SYSTEM_DOWN, *PLATFORM_ALERTS)}

ALL_RULE_IDS = (*RULES_BY_ID, *NOTIFICATION_RULES)
