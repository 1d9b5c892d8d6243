namespace DeployMind.Server.Background;

/// <summary>This server process's name in the exactly-once ledger and in logs: host, pid and a random suffix.</summary>
public sealed class ServerInstance
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}
