namespace DeployMind.Proxy;

/// <summary>The proxy refuses to start: an endpoint, the admin token, the state file or an initial backend is wrong.</summary>
public sealed class ProxyConfigurationException(string message) : Exception(message);
