using DeployMind.Domain;

namespace DeployMind.Llm;

/// <summary>The model could not be asked: no key, disabled, unreachable, timed out, or the server refused after every retry.</summary>
public sealed class LlmUnavailableException : DeployMindException
{
    public LlmUnavailableException(string reason, Exception? innerException = null, bool notConfigured = false)
        : base($"LLM unavailable: {reason}", innerException)
    {
        Reason = reason;
        NotConfigured = notConfigured;
    }

    public string Reason { get; }

    /// <summary>True when the LLM is off by configuration (disabled, no key): the expected state of an air-gapped install, not a fault.</summary>
    public bool NotConfigured { get; }
}

/// <summary>The model answered, but not with one JSON object matching the task's schema.</summary>
public sealed class LlmAnswerRejectedException : DeployMindException
{
    public LlmAnswerRejectedException(string reason, Exception? innerException = null)
        : base($"LLM answer rejected: {reason}", innerException)
    {
        Reason = reason;
    }

    public string Reason { get; }
}
