namespace DeployMind.Cli;

/// <summary>Process exit codes; scripts branch on these, so they never change meaning.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int InvalidInput = 2;
    public const int DatabaseUnavailable = 3;
    public const int NotFound = 4;
    public const int PolicyRejected = 10;
    public const int DeploymentFailed = 11;
    public const int RolledBack = 12;
    public const int Cancelled = 130;
}
