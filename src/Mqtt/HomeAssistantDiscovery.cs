using System.Buffers;
using System.Text.Json;

namespace Edge.Mqtt;

/// <summary>A GPIO pin as Home Assistant sees it: an input is a binary sensor, an output a switch.</summary>
public readonly struct DiscoveredPin(string name, bool output)
{
    public string Name { get; } = name;

    public bool Output { get; } = output;
}

/// <summary>
/// Home Assistant's MQTT discovery documents for one Edge (<c>&lt;prefix&gt;/&lt;component&gt;/edge_&lt;id&gt;/&lt;object&gt;/config</c>,
/// retained): motion as a binary sensor, GPIO inputs as binary sensors and outputs as switches, the
/// system's numbers as sensors and the snapshot topic as a camera, all one device. Written by hand with
/// <see cref="Utf8JsonWriter"/>: no serializer metadata in the binary for documents only sent.
/// </summary>
public sealed class HomeAssistantDiscovery(string discoveryPrefix, string topicPrefix, string deviceId, string deviceName, string version)
{
    private readonly string _node = "edge_" + deviceId;

    public string AvailabilityTopic => topicPrefix + "/availability";

    public string SnapshotTopic => topicPrefix + "/snapshot";

    public string StateTopic(string key) => topicPrefix + "/state/" + key;

    public string CommandTopic(string key) => topicPrefix + "/set/" + key;

    /// <summary>Every document, as (topic, JSON); <paramref name="temperature"/>: the board has a thermal zone to report.</summary>
    public IEnumerable<(string Topic, byte[] Json)> Documents(IEnumerable<DiscoveredPin> pins, bool temperature)
    {
        yield return Document("binary_sensor", "motion", "Motion", "motion.active", w =>
        {
            w.WriteString("device_class", "motion");
            w.WriteString("payload_on", "true");
            w.WriteString("payload_off", "false");
        });
        foreach (var pin in pins)
        {
            string key = "gpio." + pin.Name;
            yield return Document(pin.Output ? "switch" : "binary_sensor", "gpio_" + pin.Name, pin.Name, key, w =>
            {
                if (pin.Output) w.WriteString("command_topic", CommandTopic(key));
                w.WriteString("payload_on", "1");
                w.WriteString("payload_off", "0");
            });
        }
        yield return Document("camera", "snapshot", "Snapshot", null, w => w.WriteString("topic", SnapshotTopic));
        yield return Document("sensor", "camera", "Camera", "camera.status", w =>
        {
            w.WriteString("value_template", "{{ value_json.state }}");
            w.WriteString("json_attributes_topic", StateTopic("camera.status"));
            w.WriteString("entity_category", "diagnostic");
        });
        yield return Sensor("cpu", "CPU", "system.cpu", "%", "{{ value_json.total | round(1) }}", null);
        yield return Sensor("memory", "Memory used", "system.memory", "%",
            "{{ (100 - 100 * value_json.availableBytes / value_json.totalBytes) | round(1) }}", null);
        yield return Sensor("edge_memory", "Edge memory", "system.memory", "MiB", "{{ (value_json.processRssBytes / 1048576) | round(1) }}",
            "data_size");
        yield return Sensor("disk_free", "Disk free", "system.disk", "GiB", "{{ (value_json.availableBytes / 1073741824) | round(2) }}",
            "data_size");
        if (temperature)
            yield return Sensor("temperature", "Temperature", "system.temperatures", "°C", "{{ value_json[0].celsius }}", "temperature");
    }

    private (string, byte[]) Sensor(string id, string name, string key, string unit, string template, string? deviceClass)
        => Document("sensor", id, name, key, w =>
        {
            if (deviceClass != null) w.WriteString("device_class", deviceClass);
            w.WriteString("unit_of_measurement", unit);
            w.WriteString("state_class", "measurement");
            w.WriteString("value_template", template);
            w.WriteString("entity_category", "diagnostic");
        });

    private (string, byte[]) Document(string component, string id, string name, string? key, Action<Utf8JsonWriter> fields)
    {
        var json = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("unique_id", _node + "_" + id);
            if (key != null) w.WriteString("state_topic", StateTopic(key));
            fields(w);
            w.WriteString("availability_topic", AvailabilityTopic);
            w.WriteStartObject("device");
            w.WriteStartArray("identifiers");
            w.WriteStringValue(_node);
            w.WriteEndArray();
            w.WriteString("name", deviceName);
            w.WriteString("manufacturer", "Edge");
            w.WriteString("model", "Edge camera server");
            w.WriteString("sw_version", version);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ($"{discoveryPrefix}/{component}/{_node}/{id}/config", json.WrittenSpan.ToArray());
    }
}
