"""N WebRTC viewers of Edge through WHEP, in one process, for the WebRTC benchmark (test/bench/webrtc.sh).

Usage: /usr/bin/python3 whep-viewers.py BASE_URL VIEWERS WARMUP_SECONDS MEASURE_SECONDS
Each viewer is Debian's aiortc doing what a browser's network side does (ICE, DTLS, SRTP, NACK, receiver
reports) but not decoding: the decoder is replaced by one that returns nothing, as the RTSP benchmark's
client does not decode, so the viewers' CPU does not crowd Edge's on a small machine. Prints one JSON line:
RTP packets per viewer in the measured window, least and median, and the packets the viewers counted lost.
"""
import asyncio
import json
import statistics
import sys
import urllib.parse
import urllib.request

import aiortc.codecs.h264
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

aiortc.codecs.h264.H264Decoder.decode = lambda self, encoded_frame: []


def http(method, url, body=None):
    headers = {"Content-Type": "application/sdp"} if body is not None else {}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.status, reply.headers.get("Location"), reply.read().decode()


async def viewer(base):
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no STUN server: a closed network
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    status, location, answer = await asyncio.to_thread(http, "POST", urllib.parse.urljoin(base, "/whep"),
                                                       pc.localDescription.sdp.encode())
    if status != 201:
        sys.exit(f"POST /whep answered {status}: {answer}")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return pc, urllib.parse.urljoin(base, location)


async def received(pc):
    report = await pc.getStats()
    inbound = [s for s in report.values() if s.type == "inbound-rtp"]
    return (inbound[0].packetsReceived, inbound[0].packetsLost) if inbound else (0, 0)


async def main(base, count, warmup, measure):
    viewers = [await viewer(base) for _ in range(count)]
    await asyncio.sleep(warmup)
    before = [await received(pc) for pc, _ in viewers]
    await asyncio.sleep(measure)
    after = [await received(pc) for pc, _ in viewers]
    packets = [a[0] - b[0] for a, b in zip(after, before)]
    lost = sum(a[1] - b[1] for a, b in zip(after, before))
    for pc, location in viewers:
        await asyncio.to_thread(http, "DELETE", location)
        await pc.close()
    print(json.dumps({"viewers": count, "packets_min": min(packets), "packets_median": statistics.median(packets),
                      "lost": lost}))


asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])))
