using System.Net;
using Edge.Streaming.WebRtc;

namespace Edge.Tests.Streaming.WebRtc;

/// <summary>WHEP offers as Chrome and Firefox write them, the H.264 payload type chosen, the answer, and offers that are refused.</summary>
[TestClass]
public sealed class SdpTests
{
    // Chrome's recvonly video offer (payload types as Chrome 110+ numbers them), trimmed of extmap lines and non-H.264 codecs' fmtp.
    private const string ChromeOffer = """
        v=0
        o=- 8806827314483809913 2 IN IP4 127.0.0.1
        s=-
        t=0 0
        a=group:BUNDLE 0
        a=extmap-allow-mixed
        a=msid-semantic: WMS
        m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 106 107 127 125 112 113
        c=IN IP4 0.0.0.0
        a=rtcp:9 IN IP4 0.0.0.0
        a=ice-ufrag:vfln
        a=ice-pwd:j+iRHP7SM0eOIBss7cVaCegG
        a=ice-options:trickle
        a=fingerprint:sha-256 3A:D4:C7:7E:5B:87:36:72:23:F2:33:54:7A:9E:AF:7C:95:F7:5D:8C:BC:14:B8:77:F1:3E:37:EF:76:A0:94:47
        a=setup:actpass
        a=mid:0
        a=recvonly
        a=rtcp-mux
        a=rtcp-rsize
        a=rtpmap:96 VP8/90000
        a=rtpmap:97 rtx/90000
        a=fmtp:97 apt=96
        a=rtpmap:102 H264/90000
        a=rtcp-fb:102 nack
        a=rtcp-fb:102 nack pli
        a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f
        a=rtpmap:103 rtx/90000
        a=rtpmap:106 H264/90000
        a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f
        a=rtpmap:107 rtx/90000
        a=rtpmap:127 H264/90000
        a=fmtp:127 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f
        a=rtpmap:125 rtx/90000
        a=rtpmap:112 H264/90000
        a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f
        a=rtpmap:113 rtx/90000
        """;

    // Firefox: session-level fingerprint, only 42e01f, and an audio section before the video.
    private const string FirefoxOffer = """
        v=0
        o=mozilla...THIS_IS_SDPARTA-115 1 0 IN IP4 0.0.0.0
        s=-
        t=0 0
        a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99
        a=group:BUNDLE 0 1
        a=ice-options:trickle
        m=audio 9 UDP/TLS/RTP/SAVPF 109 0
        c=IN IP4 0.0.0.0
        a=mid:0
        a=recvonly
        a=ice-ufrag:ff01
        a=ice-pwd:0123456789abcdef0123456789abcdef
        a=setup:actpass
        a=rtcp-mux
        a=rtpmap:109 opus/48000/2
        a=rtpmap:0 PCMU/8000
        m=video 9 UDP/TLS/RTP/SAVPF 120 126 97
        c=IN IP4 0.0.0.0
        a=mid:1
        a=recvonly
        a=ice-ufrag:ff01
        a=ice-pwd:0123456789abcdef0123456789abcdef
        a=setup:actpass
        a=rtcp-mux
        a=rtpmap:120 VP8/90000
        a=rtpmap:126 H264/90000
        a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1
        a=rtpmap:97 H264/90000
        a=fmtp:97 profile-level-id=42e01f;level-asymmetry-allowed=1
        """;

    [TestMethod]
    public void ChromesOfferIsReadAndTheCamerasProfileChoosesItsPayloadType()
    {
        var offer = SdpOffer.Parse(ChromeOffer.ReplaceLineEndings("\r\n"));
        var video = offer.Media.Single();
        Assert.AreEqual(("video", "0", "recvonly", "vfln", "j+iRHP7SM0eOIBss7cVaCegG", "actpass"),
            (video.Kind, video.Mid, video.Direction, video.IceUfrag, video.IcePwd, video.Setup));
        StringAssert.StartsWith(video.Fingerprint, "sha-256 3A:D4");
        Assert.IsTrue(video.RtcpMux && video.RtcpRsize);
        Assert.AreEqual(106, H264PayloadChoice.Choose(video, 66, 0xC0), "Constrained Baseline (OpenH264's)");
        Assert.AreEqual(102, H264PayloadChoice.Choose(video, 66, 0x00), "Baseline");
        Assert.AreEqual(127, H264PayloadChoice.Choose(video, 77, 0x00), "Main");
        Assert.AreEqual(112, H264PayloadChoice.Choose(video, 100, 0x00), "High");
        Assert.AreEqual(106, H264PayloadChoice.Choose(video, 110, 0x00), "High 10 is not offered: Constrained Baseline");
    }

    [TestMethod]
    public void FirefoxsSessionLevelFingerprintAppliesToItsSectionsAndOnlyPacketizationMode1Counts()
    {
        var offer = SdpOffer.Parse(FirefoxOffer);
        Assert.HasCount(2, offer.Media);
        var video = offer.Media[1];
        StringAssert.StartsWith(video.Fingerprint, "sha-256 AA:BB");
        Assert.AreEqual(126, H264PayloadChoice.Choose(video, 100, 0), "mode 1 in Constrained Baseline, not 97 (mode 0)");
        Assert.IsNull(H264PayloadChoice.Choose(offer.Media[0], 66, 0xC0), "no H.264 in the audio section");
    }

    [TestMethod]
    public void TheAnswerIsIceLiteSendOnlyWithThePayloadTypeEchoedAndTheAudioRejected()
    {
        var offer = SdpOffer.Parse(FirefoxOffer);
        var video = offer.Media[1];
        var ice = IceCredentials.Create();
        string answer = SdpAnswer.Write(offer, video, 126, ice, "sha-256 01:02", [new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50000),
            new IPEndPoint(IPAddress.Parse("2001:db8::7"), 50000)], 1234, 42);
        string[] lines = answer.Split("\r\n");
        Assert.AreEqual("", lines[^1], "CRLF after every line");
        CollectionAssert.IsSubsetOf(new[]
        {
            "v=0", "a=group:BUNDLE 1", "a=ice-lite", "m=audio 0 UDP/TLS/RTP/SAVPF 109", "a=mid:0", "a=inactive",
            "m=video 9 UDP/TLS/RTP/SAVPF 126", "a=mid:1", $"a=ice-ufrag:{ice.Ufrag}", $"a=ice-pwd:{ice.Pwd}",
            "a=fingerprint:sha-256 01:02", "a=setup:passive", "a=sendonly", "a=rtcp-mux", "a=rtpmap:126 H264/90000",
            "a=fmtp:126 profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1", "a=rtcp-fb:126 nack pli",
            "a=rtcp-fb:126 ccm fir", "a=ssrc:1234 cname:edge", "a=candidate:1 1 udp 2130706431 192.0.2.7 50000 typ host",
            "a=candidate:2 1 udp 2130444031 2001:db8::7 50000 typ host", "a=end-of-candidates",
        }, lines);
        Assert.IsLessThan(Array.IndexOf(lines, "m=video 9 UDP/TLS/RTP/SAVPF 126"), Array.IndexOf(lines, "m=audio 0 UDP/TLS/RTP/SAVPF 109"));
        Assert.IsFalse(lines.Contains("a=rtcp-rsize"), "not offered by Firefox here, so not answered");
        Assert.IsGreaterThanOrEqualTo(4, ice.Ufrag.Length);
        Assert.IsGreaterThanOrEqualTo(22, ice.Pwd.Length);
    }

    [TestMethod]
    public void OffersThatAreNotSdpAreRefusedWithTheReason()
    {
        foreach (var (bad, said) in new[]
        {
            ("hello", "not <type>=<value>"),
            ("v=1\r\n", "version 0"),
            ("o=- 1 1 IN IP4 0.0.0.0\r\n", "starts with v=0"),
            ("v=0\r\nm=video\r\n", "m= needs"),
            ("v=0\r\nm=video 99999 UDP/TLS/RTP/SAVPF 96\r\n", "m= needs"),
            ("v=0\r\n" + string.Concat(Enumerable.Repeat("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", 17)), "more than 16"),
            ("v=0\r\n" + new string('a', SdpOffer.MaxLength), "longer than"),
        })
        {
            var error = Assert.ThrowsExactly<FormatException>(() => SdpOffer.Parse(bad), bad[..Math.Min(bad.Length, 30)]);
            StringAssert.Contains(error.Message, said);
        }
        // Attributes for payload types the m= line does not list, and unknown attributes, are skipped.
        var offer = SdpOffer.Parse("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:97 H264/90000\r\na=x-thing:1\r\na=rtpmap:x y\r\n");
        Assert.IsEmpty(offer.Media[0].Codecs);
    }
}
