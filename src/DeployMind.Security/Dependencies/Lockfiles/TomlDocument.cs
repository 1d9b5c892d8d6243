using System.Globalization;
using System.Text;

namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>
/// A small TOML 1.0 reader for lockfiles (Cargo.lock, poetry.lock, uv.lock): tables, arrays of tables, dotted
/// keys, strings (basic, literal, multi-line), numbers, booleans, dates as strings, arrays and inline tables.
/// Tables become <see cref="TomlTable"/>; each table remembers the line it starts on.
/// </summary>
internal sealed class TomlDocument
{
    private readonly string _text;
    private int _pos;
    private int _line = 1;

    private TomlDocument(string text) => _text = text;

    public static TomlTable Parse(string text) => new TomlDocument(text).ParseDocument();

    private TomlTable ParseDocument()
    {
        var root = new TomlTable(1);
        var current = root;
        while (true)
        {
            SkipWhitespaceAndComments(newlines: true);
            if (_pos >= _text.Length)
            {
                return root;
            }

            if (_text[_pos] == '[')
            {
                var isArray = _pos + 1 < _text.Length && _text[_pos + 1] == '[';
                _pos += isArray ? 2 : 1;
                var keys = ParseKeyPath(']');
                Expect(']');
                if (isArray)
                {
                    Expect(']');
                }

                current = isArray ? AppendArrayTable(root, keys) : OpenTable(root, keys);
                ExpectLineEnd();
                continue;
            }

            var path = ParseKeyPath('=');
            Expect('=');
            SkipInlineWhitespace();
            var value = ParseValue();
            Assign(current, path, value);
            ExpectLineEnd();
        }
    }

    private TomlTable OpenTable(TomlTable root, List<string> keys)
    {
        var table = root;
        foreach (var key in keys)
        {
            table = table.Values.TryGetValue(key, out var existing)
                ? existing switch
                {
                    TomlTable t => t,
                    List<object> { Count: > 0 } list when list[^1] is TomlTable last => last,
                    _ => throw Error($"key '{key}' is already a value, not a table"),
                }
                : (TomlTable)(table.Values[key] = new TomlTable(_line));
        }

        return table;
    }

    private TomlTable AppendArrayTable(TomlTable root, List<string> keys)
    {
        var parent = OpenTable(root, keys[..^1]);
        var key = keys[^1];
        if (!parent.Values.TryGetValue(key, out var existing))
        {
            existing = new List<object>();
            parent.Values[key] = existing;
        }

        if (existing is not List<object> list)
        {
            throw Error($"key '{key}' is not an array of tables");
        }

        var table = new TomlTable(_line);
        list.Add(table);
        return table;
    }

    private void Assign(TomlTable table, List<string> path, object value)
    {
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (!table.Values.TryGetValue(path[i], out var next))
            {
                next = new TomlTable(_line);
                table.Values[path[i]] = next;
            }

            table = next as TomlTable ?? throw Error($"key '{path[i]}' is not a table");
        }

        if (!table.Values.TryAdd(path[^1], value))
        {
            throw Error($"duplicate key '{path[^1]}'");
        }
    }

    private List<string> ParseKeyPath(char terminator)
    {
        var keys = new List<string>();
        while (true)
        {
            SkipInlineWhitespace();
            keys.Add(ParseKey());
            SkipInlineWhitespace();
            if (Peek() == '.')
            {
                _pos++;
                continue;
            }

            if (Peek() != terminator)
            {
                throw Error($"expected '{terminator}' after key '{keys[^1]}'");
            }

            return keys;
        }
    }

    private string ParseKey()
    {
        var c = Peek();
        if (c == '"')
        {
            return ParseBasicString();
        }

        if (c == '\'')
        {
            return ParseLiteralString();
        }

        var start = _pos;
        while (_pos < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '-'))
        {
            _pos++;
        }

        return _pos == start ? throw Error("expected a key") : _text[start.._pos];
    }

    private object ParseValue()
    {
        var c = Peek();
        switch (c)
        {
            case '"':
                return _text.AsSpan(_pos).StartsWith("\"\"\"") ? ParseMultilineBasic() : ParseBasicString();
            case '\'':
                return _text.AsSpan(_pos).StartsWith("'''") ? ParseMultilineLiteral() : ParseLiteralString();
            case '[':
                return ParseArray();
            case '{':
                return ParseInlineTable();
        }

        var start = _pos;
        SkipBareToken();

        // A local date followed by a time ("1979-05-27 07:32:00") is one value despite the space.
        if (_pos - start == 10 && _text[start + 4] == '-' && _pos + 3 < _text.Length && _text[_pos] == ' '
            && char.IsAsciiDigit(_text[_pos + 1]) && char.IsAsciiDigit(_text[_pos + 2]) && _text[_pos + 3] == ':')
        {
            _pos++;
            SkipBareToken();
        }

        var token = _text[start.._pos];
        if (token.Length == 0)
        {
            throw Error("expected a value");
        }

        if (token is "true" or "false")
        {
            return token == "true";
        }

        if (long.TryParse(token.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        if (double.TryParse(token.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return real;
        }

        // Dates, times and anything else the lockfiles do not need as typed values stay text.
        return char.IsAsciiDigit(token[0]) ? token : throw Error($"unexpected value '{token}'");
    }

    private void SkipBareToken()
    {
        while (_pos < _text.Length && _text[_pos] is not (',' or ']' or '}' or '\n' or '\r' or '#' or ' ' or '\t'))
        {
            _pos++;
        }
    }

    private List<object> ParseArray()
    {
        Expect('[');
        var items = new List<object>();
        while (true)
        {
            SkipWhitespaceAndComments(newlines: true);
            if (Peek() == ']')
            {
                _pos++;
                return items;
            }

            items.Add(ParseValue());
            SkipWhitespaceAndComments(newlines: true);
            if (Peek() == ',')
            {
                _pos++;
                continue;
            }

            Expect(']');
            return items;
        }
    }

    private TomlTable ParseInlineTable()
    {
        var table = new TomlTable(_line);
        Expect('{');
        SkipWhitespaceAndComments(newlines: true);
        if (Peek() == '}')
        {
            _pos++;
            return table;
        }

        while (true)
        {
            SkipWhitespaceAndComments(newlines: true);
            var path = ParseKeyPath('=');
            Expect('=');
            SkipInlineWhitespace();
            Assign(table, path, ParseValue());
            SkipWhitespaceAndComments(newlines: true);
            if (Peek() == ',')
            {
                _pos++;
                SkipWhitespaceAndComments(newlines: true);
                if (Peek() == '}')
                {
                    _pos++;
                    return table;
                }

                continue;
            }

            Expect('}');
            return table;
        }
    }

    private string ParseBasicString()
    {
        Expect('"');
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length || _text[_pos] is '\n' or '\r')
            {
                throw Error("unterminated string");
            }

            var c = _text[_pos++];
            if (c == '"')
            {
                return sb.ToString();
            }

            if (c == '\\')
            {
                AppendEscape(sb);
            }
            else
            {
                sb.Append(c);
            }
        }
    }

    private string ParseMultilineBasic()
    {
        _pos += 3;
        SkipOneNewline();
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated multi-line string");
            }

            if (_text.AsSpan(_pos).StartsWith("\"\"\"") && !_text.AsSpan(_pos).StartsWith("\"\"\"\""))
            {
                _pos += 3;
                return sb.ToString();
            }

            var c = _text[_pos++];
            if (c == '\n')
            {
                _line++;
            }

            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }

            if (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
            {
                // Line-ending backslash: trim the newline and the whitespace that follows.
                while (_pos < _text.Length && _text[_pos] is ' ' or '\t' or '\n' or '\r')
                {
                    if (_text[_pos] == '\n')
                    {
                        _line++;
                    }

                    _pos++;
                }

                continue;
            }

            AppendEscape(sb);
        }
    }

    private string ParseLiteralString()
    {
        Expect('\'');
        var end = _text.IndexOf('\'', _pos);
        var newline = _text.IndexOf('\n', _pos);
        if (end < 0 || (newline >= 0 && newline < end))
        {
            throw Error("unterminated literal string");
        }

        var value = _text[_pos..end];
        _pos = end + 1;
        return value;
    }

    private string ParseMultilineLiteral()
    {
        _pos += 3;
        SkipOneNewline();
        var end = _text.IndexOf("'''", _pos, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Error("unterminated multi-line literal string");
        }

        var value = _text[_pos..end];
        _line += value.Count(ch => ch == '\n');
        _pos = end + 3;
        return value;
    }

    private void AppendEscape(StringBuilder sb)
    {
        if (_pos >= _text.Length)
        {
            throw Error("unterminated escape");
        }

        var e = _text[_pos++];
        switch (e)
        {
            case 'b': sb.Append('\b'); break;
            case 't': sb.Append('\t'); break;
            case 'n': sb.Append('\n'); break;
            case 'f': sb.Append('\f'); break;
            case 'r': sb.Append('\r'); break;
            case 'e': sb.Append('\u001b'); break;
            case '"': sb.Append('"'); break;
            case '\\': sb.Append('\\'); break;
            case 'u' or 'U':
                var length = e == 'u' ? 4 : 8;
                if (_pos + length > _text.Length
                    || !int.TryParse(_text.AsSpan(_pos, length), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                {
                    throw Error("invalid unicode escape");
                }

                sb.Append(char.ConvertFromUtf32(code));
                _pos += length;
                break;
            default:
                throw Error($"invalid escape '\\{e}'");
        }
    }

    private void SkipOneNewline()
    {
        if (Peek() == '\r')
        {
            _pos++;
        }

        if (Peek() == '\n')
        {
            _pos++;
            _line++;
        }
    }

    private void SkipInlineWhitespace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t')
        {
            _pos++;
        }
    }

    private void SkipWhitespaceAndComments(bool newlines)
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c is ' ' or '\t' or '\r' || (newlines && c == '\n'))
            {
                if (c == '\n')
                {
                    _line++;
                }

                _pos++;
            }
            else if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private void ExpectLineEnd()
    {
        SkipWhitespaceAndComments(newlines: false);
        if (_pos < _text.Length && _text[_pos] != '\n')
        {
            throw Error($"expected the end of the line, found '{_text[_pos]}'");
        }
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}'");
        }

        _pos++;
    }

    private LockfileFormatException Error(string message) => new($"TOML: {message}", _line);
}

/// <summary>A TOML table: keys to string, long, double, bool, <see cref="List{T}"/> of values or nested tables.</summary>
internal sealed class TomlTable(int line)
{
    public int Line { get; } = line;

    public Dictionary<string, object> Values { get; } = new(StringComparer.Ordinal);

    public string? GetString(string key) => Values.GetValueOrDefault(key) as string;

    public TomlTable? GetTable(string key) => Values.GetValueOrDefault(key) as TomlTable;

    public IEnumerable<TomlTable> GetTables(string key) =>
        Values.GetValueOrDefault(key) is List<object> list ? list.OfType<TomlTable>() : [];

    public IEnumerable<string> GetStrings(string key) =>
        Values.GetValueOrDefault(key) is List<object> list ? list.OfType<string>() : [];
}
