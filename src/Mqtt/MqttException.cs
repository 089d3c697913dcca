namespace Edge.Mqtt;

/// <summary>The broker refused Edge or broke the protocol: the connection ends and is made again after a pause.</summary>
public sealed class MqttException(string message) : Exception(message);
