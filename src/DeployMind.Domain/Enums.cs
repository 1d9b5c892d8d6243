namespace DeployMind.Domain;

public enum DeploymentStatus
{
    [WireValue("pending")] Pending,
    [WireValue("security_scanning")] SecurityScanning,
    [WireValue("security_failed")] SecurityFailed,
    [WireValue("building")] Building,
    [WireValue("build_failed")] BuildFailed,
    [WireValue("deploying")] Deploying,
    [WireValue("deployed")] Deployed,
    [WireValue("failed")] Failed,
    [WireValue("rolling_back")] RollingBack,
    [WireValue("rolled_back")] RolledBack,
    [WireValue("cancelled")] Cancelled,
}

public enum DeploymentEnvironment
{
    [WireValue("development")] Development,
    [WireValue("staging")] Staging,
    [WireValue("production")] Production,
}

public enum DeploymentStrategy
{
    [WireValue("rolling")] Rolling,
    [WireValue("canary")] Canary,
    [WireValue("blue-green")] BlueGreen,
}

public enum TriggerType
{
    [WireValue("manual")] Manual,
    [WireValue("webhook")] Webhook,
    [WireValue("scheduled")] Scheduled,
}

public enum ScanType
{
    [WireValue("dockerfile")] Dockerfile,
    [WireValue("dependencies")] Dependencies,
    [WireValue("secrets")] Secrets,
}

public enum AgentDecision
{
    [WireValue("approve")] Approve,
    [WireValue("warn")] Warn,
    [WireValue("reject")] Reject,
}

public enum HealthCheckType
{
    [WireValue("http")] Http,
    [WireValue("tcp")] Tcp,
    [WireValue("command")] Command,
}

/// <summary>Severity of a deployment log entry, stored upper-case as in the seed.</summary>
public enum LogLevel
{
    [WireValue("DEBUG")] Debug,
    [WireValue("INFO")] Info,
    [WireValue("WARNING")] Warning,
    [WireValue("ERROR")] Error,
    [WireValue("CRITICAL")] Critical,
}

/// <summary>Vulnerability and finding severity, ordered from least to most severe.</summary>
public enum Severity
{
    [WireValue("UNKNOWN")] Unknown,
    [WireValue("LOW")] Low,
    [WireValue("MEDIUM")] Medium,
    [WireValue("HIGH")] High,
    [WireValue("CRITICAL")] Critical,
}
