using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DeployMind.Llm.Tests.Fakes;

/// <summary>Every log line written through any <see cref="CapturingLogger{T}"/> sharing it: message, values and exception text.</summary>
public sealed class LogSink
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public string All => string.Join('\n', _lines);

    public void Add(string line) => _lines.Enqueue(line);

    public ILogger<T> For<T>() => new CapturingLogger<T>(this);
}

public sealed class CapturingLogger<T>(LogSink sink) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
            ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
            : string.Empty;
        sink.Add($"{logLevel} {typeof(T).Name}: {formatter(state, exception)} [{values}] {exception}");
    }
}
