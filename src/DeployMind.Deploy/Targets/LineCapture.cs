using System.Text;
using DeployMind.Pipeline.Processes;

namespace DeployMind.Deploy.Targets;

/// <summary>
/// Turns a byte stream of a remote command into redacted lines: keeps the last characters (bounded), and hands
/// each line to an optional callback. Thread-safe per instance; one instance per stream.
/// </summary>
internal sealed class LineCapture
{
    private const int MaxLineChars = 64 * 1024;

    private readonly OutputStream _stream;
    private readonly Redactor _redactor;
    private readonly Action<OutputLine>? _callback;
    private readonly Lock _callbackGate;
    private readonly int _maxChars;
    private readonly Queue<string> _lines = new();
    private readonly StringBuilder _partial = new();
    private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
    private long _chars;
    private long _dropped;
    private bool _firstLineSeen;

    public LineCapture(OutputStream stream, Redactor redactor, Action<OutputLine>? callback, Lock callbackGate, int maxChars)
    {
        _stream = stream;
        _redactor = redactor;
        _callback = callback;
        _callbackGate = callbackGate;
        _maxChars = Math.Max(0, maxChars);
    }

    /// <summary>Sees lines until it returns true once, which swallows that line (a protocol line the transport adds).</summary>
    public Func<string, bool>? FirstLineFilter { get; init; }

    public async Task ReadAllAsync(Stream source, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            Append(buffer.AsSpan(0, read));
        }

        Complete();
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[_decoder.GetCharCount(bytes, flush: false)];
        _decoder.GetChars(bytes, chars, flush: false);
        AppendText(chars);
    }

    public void AppendText(ReadOnlySpan<char> span)
    {
        while (span.Length > 0)
        {
            var newline = span.IndexOf('\n');
            if (newline < 0)
            {
                _partial.Append(span);
                if (_partial.Length >= MaxLineChars)
                {
                    Emit();
                }

                return;
            }

            _partial.Append(span[..newline]);
            span = span[(newline + 1)..];
            Emit();
        }
    }

    public void Complete()
    {
        if (_partial.Length > 0)
        {
            Emit();
        }
    }

    public override string ToString()
    {
        lock (_lines)
        {
            var text = new StringBuilder();
            if (_dropped > 0)
            {
                text.Append("[output truncated: the first ").Append(_dropped).Append(" characters were dropped]\n");
            }

            foreach (var line in _lines)
            {
                text.Append(line).Append('\n');
            }

            return text.ToString();
        }
    }

    private void Emit()
    {
        if (_partial.Length > 0 && _partial[^1] == '\r')
        {
            _partial.Length--;
        }

        var raw = _partial.ToString();
        _partial.Clear();
        if (!_firstLineSeen && FirstLineFilter?.Invoke(raw) == true)
        {
            _firstLineSeen = true;
            return;
        }

        var text = _redactor.Redact(raw);
        lock (_lines)
        {
            _lines.Enqueue(text);
            _chars += text.Length + 1;
            while (_chars > _maxChars && _lines.Count > 0)
            {
                var dropped = _lines.Dequeue();
                _chars -= dropped.Length + 1;
                _dropped += dropped.Length + 1;
            }
        }

        if (_callback is null)
        {
            return;
        }

        lock (_callbackGate)
        {
            try
            {
                _callback(new OutputLine(_stream, text));
            }
            catch (Exception)
            {
                // A broken log sink must not stop the command's output being read.
            }
        }
    }
}
