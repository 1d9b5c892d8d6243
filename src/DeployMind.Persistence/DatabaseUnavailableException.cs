using DeployMind.Domain;

namespace DeployMind.Persistence;

/// <summary>The configured database cannot be reached or used; carries which database, why, and what to check.</summary>
public sealed class DatabaseUnavailableException : DeployMindException
{
    public DatabaseUnavailableException(DatabaseLocation location, string reason, string hint, Exception? innerException = null)
        : base($"cannot use database {location}: {reason}. {hint}", innerException)
    {
        Location = location;
        Reason = reason;
        Hint = hint;
    }

    public DatabaseLocation Location { get; }

    public string Reason { get; }

    public string Hint { get; }
}
