namespace DeployMind.Security.Dependencies.Versions;

/// <summary>
/// Maven <c>ComparableVersion</c> ordering: numbers and qualifiers in nested lists, with
/// alpha &lt; beta &lt; milestone &lt; rc/cr &lt; snapshot &lt; "" (ga, final, release) &lt; sp &lt; other qualifiers.
/// </summary>
internal sealed class MavenComparer : IVersionComparer
{
    public ParsedVersion Parse(string version) => MavenVersion.Parse(version);
}

internal sealed class MavenVersion : ParsedVersion
{
    private readonly ListItem _items;

    private MavenVersion(string original, ListItem items)
        : base(original, original.Trim().Length > 0 && char.IsAsciiDigit(original.Trim()[0])) => _items = items;

    public override int CompareTo(ParsedVersion? other) => other is MavenVersion o ? Math.Sign(_items.CompareTo(o._items)) : 1;

    public static MavenVersion Parse(string text)
    {
        var version = text.Trim().ToLowerInvariant();
        var list = new ListItem();
        var root = list;
        var stack = new Stack<ListItem>();
        stack.Push(list);
        var isDigit = false;
        var start = 0;
        for (var i = 0; i < version.Length; i++)
        {
            var c = version[i];
            if (c == '.')
            {
                list.Add(i == start ? new IntItem("0") : ParseItem(isDigit, version[start..i]));
                start = i + 1;
            }
            else if (c == '-')
            {
                list.Add(i == start ? new IntItem("0") : ParseItem(isDigit, version[start..i]));
                start = i + 1;
                var sub = new ListItem();
                list.Add(sub);
                list = sub;
                stack.Push(list);
            }
            else if (char.IsAsciiDigit(c))
            {
                if (!isDigit && i > start)
                {
                    list.Add(new StringItem(version[start..i], followedByDigit: true));
                    start = i;
                    var sub = new ListItem();
                    list.Add(sub);
                    list = sub;
                    stack.Push(list);
                }

                isDigit = true;
            }
            else
            {
                if (isDigit && i > start)
                {
                    list.Add(ParseItem(true, version[start..i]));
                    start = i;
                    var sub = new ListItem();
                    list.Add(sub);
                    list = sub;
                    stack.Push(list);
                }

                isDigit = false;
            }
        }

        if (version.Length > start)
        {
            list.Add(ParseItem(isDigit, version[start..]));
        }

        while (stack.Count > 0)
        {
            stack.Pop().Normalize();
        }

        return new MavenVersion(text, root);
    }

    private static Item ParseItem(bool isDigit, string buf) => isDigit ? new IntItem(buf) : new StringItem(buf, followedByDigit: false);

    private abstract class Item
    {
        public abstract bool IsNull { get; }

        /// <summary>Compares with another item, or with "nothing" when <paramref name="other"/> is null (padding).</summary>
        public abstract int CompareTo(Item? other);
    }

    private sealed class IntItem(string digits) : Item
    {
        public string Digits { get; } = digits.TrimStart('0') is { Length: > 0 } d ? d : "0";

        public override bool IsNull => Digits == "0";

        public override int CompareTo(Item? other) => other switch
        {
            null => IsNull ? 0 : 1,
            IntItem i => VersionComparers.CompareDigits(Digits, i.Digits),
            _ => 1,
        };
    }

    private sealed class StringItem : Item
    {
        private static readonly string[] s_qualifiers = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
        private static readonly string s_releaseIndex = Array.IndexOf(s_qualifiers, "").ToString(System.Globalization.CultureInfo.InvariantCulture);

        public StringItem(string value, bool followedByDigit)
        {
            if (followedByDigit && value.Length == 1)
            {
                value = value[0] switch
                {
                    'a' => "alpha",
                    'b' => "beta",
                    'm' => "milestone",
                    _ => value,
                };
            }

            Value = value switch
            {
                "ga" or "final" or "release" => "",
                "cr" => "rc",
                _ => value,
            };
        }

        public string Value { get; }

        public override bool IsNull => Value.Length == 0;

        public override int CompareTo(Item? other) => other switch
        {
            null => Math.Sign(string.CompareOrdinal(Comparable(Value), s_releaseIndex)),
            IntItem => -1,
            StringItem s => Math.Sign(string.CompareOrdinal(Comparable(Value), Comparable(s.Value))),
            _ => -1,
        };

        private static string Comparable(string qualifier)
        {
            var i = Array.IndexOf(s_qualifiers, qualifier);
            return i >= 0 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : s_qualifiers.Length + "-" + qualifier;
        }
    }

    private sealed class ListItem : Item
    {
        private readonly List<Item> _items = [];

        public override bool IsNull => _items.Count == 0;

        public void Add(Item item) => _items.Add(item);

        public void Normalize()
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                if (_items[i].IsNull)
                {
                    _items.RemoveAt(i);
                }
                else if (_items[i] is not ListItem)
                {
                    break;
                }
            }
        }

        public override int CompareTo(Item? other)
        {
            switch (other)
            {
                case null:
                    return _items.Count == 0 ? 0 : _items[0].CompareTo(null);
                case IntItem:
                    return -1;
                case StringItem:
                    return 1;
            }

            var o = (ListItem)other;
            var n = Math.Max(_items.Count, o._items.Count);
            for (var i = 0; i < n; i++)
            {
                var l = i < _items.Count ? _items[i] : null;
                var r = i < o._items.Count ? o._items[i] : null;
                var result = l is null ? (r is null ? 0 : -r.CompareTo(l)) : l.CompareTo(r);
                if (result != 0)
                {
                    return result;
                }
            }

            return 0;
        }
    }
}
