using System.Globalization;
using System.Net;

namespace DeployMind.Proxy.Hosting;

/// <summary>An endpoint given as <c>HOST:PORT</c> (also <c>[::1]:PORT</c>, <c>localhost:PORT</c>, <c>*:PORT</c>,
/// optionally prefixed with http://). Port 0 picks a free port.</summary>
internal sealed record ListenAddress(IPAddress Address, int Port, bool AnyAddress)
{
    public bool IsLoopback => !AnyAddress && IPAddress.IsLoopback(Address);

    public static ListenAddress Parse(string value, string what)
    {
        var text = value.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["http://".Length..].TrimEnd('/');
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new ProxyConfigurationException($"{what} '{value}' must be HOST:PORT, e.g. 127.0.0.1:8080");
        }
        var host = text[..colon];
        var portText = text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ProxyConfigurationException($"{what} '{value}': the port must be a number from 0 to 65535");
        }
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        if (host is "*" or "+")
        {
            return new ListenAddress(IPAddress.IPv6Any, port, AnyAddress: true);
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new ListenAddress(IPAddress.Loopback, port, AnyAddress: false);
        }
        if (!IPAddress.TryParse(host, out var address))
        {
            throw new ProxyConfigurationException($"{what} '{value}': '{host}' is not an IP address (use an address such as 127.0.0.1, 0.0.0.0, [::1] or localhost)");
        }
        var any = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        return new ListenAddress(address, port, any);
    }
}
