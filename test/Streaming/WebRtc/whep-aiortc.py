"""A headless WebRTC viewer that is not a browser: aiortc (Debian's python3-aiortc) plays Edge's WHEP.

Usage: /usr/bin/python3 whep-aiortc.py URL USER PASSWORD FRAMES
Offers to URL/whep (Basic auth), decodes FRAMES pictures of the video track with FFmpeg (PyAV),
then DELETEs the session. Prints "ok FRAMES WIDTHxHEIGHT CODEC DELETE-STATUS" or fails with a reason.
"""
import asyncio
import base64
import sys
import urllib.error
import urllib.parse
import urllib.request

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription


def http(method, url, auth, body=None):
    headers = {"Authorization": "Basic " + auth}
    if body is not None:
        headers["Content-Type"] = "application/sdp"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.headers.get("Location"), reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, None, error.read().decode()


async def main(base, user, password, wanted):
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    # No STUN server: aiortc would ask Google's by default, and this network is closed.
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    frames, done = [], asyncio.get_running_loop().create_future()

    @pc.on("track")
    def on_track(track):
        async def pump():
            try:
                while len(frames) < wanted:
                    frame = await track.recv()
                    frames.append((frame.width, frame.height))
                done.set_result(True)
            except Exception as error:  # the track ended before enough pictures came
                if not done.done():
                    done.set_exception(error)
        asyncio.ensure_future(pump())

    await pc.setLocalDescription(await pc.createOffer())
    url = urllib.parse.urljoin(base, "/whep")
    status, location, answer = await asyncio.to_thread(http, "POST", url, auth, pc.localDescription.sdp.encode())
    if status != 201 or not location:
        sys.exit(f"POST /whep answered {status}: {answer}")
    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
        await asyncio.wait_for(done, 30)
    finally:
        deleted, _, _ = await asyncio.to_thread(http, "DELETE", urllib.parse.urljoin(base, location), auth)
        await pc.close()
    width, height = frames[-1]
    codecs = sorted({line.split(" ")[1].split("/")[0] for line in answer.splitlines() if line.startswith("a=rtpmap:")})
    print(f"ok {len(frames)} {width}x{height} {','.join(codecs)} {deleted}")


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
