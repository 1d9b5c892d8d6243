using System.Text;

namespace DeployMind.Pipeline.Processes;

/// <summary>The last N characters of a stream, kept as whole lines; remembers whether anything was dropped.</summary>
internal sealed class BoundedOutput
{
    private readonly Queue<string> _lines = new();
    private readonly int _maxChars;
    private long _chars;
    private long _droppedChars;

    public BoundedOutput(int maxChars)
    {
        _maxChars = Math.Max(0, maxChars);
    }

    public bool Truncated => _droppedChars > 0;

    public void Add(string line)
    {
        _lines.Enqueue(line);
        _chars += line.Length + 1;
        while (_chars > _maxChars && _lines.Count > 0)
        {
            var dropped = _lines.Dequeue();
            _chars -= dropped.Length + 1;
            _droppedChars += dropped.Length + 1;
        }
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        if (Truncated)
        {
            text.Append("[output truncated: the first ").Append(_droppedChars).Append(" characters were dropped]\n");
        }

        foreach (var line in _lines)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}
