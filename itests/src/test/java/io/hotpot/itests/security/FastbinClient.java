package io.hotpot.itests.security;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.Assert.assertTrue;

/**
 * Speaks Aries RSA fastbin 1.16.1's wire format from the test JVM, the way an attacker who reaches
 * a node's fastbin port would: no RSA, no OSGi, a plain socket. Read from fastbin's
 * {@code ClientInvokerImpl.request}, {@code ServerInvokerImpl.onCommand} and
 * {@code ObjectSerializationStrategy}:
 * <pre>
 *   request  = int32 frame length (big-endian, counting itself)
 *              varlong correlation
 *              varint length + UTF-8 service id (the RSA endpoint.id)
 *              varint length + UTF-8 method signature: "name," then the parameter types joined
 *                  by ",", each "L" + class name, a primitive letter (Z B C S I J F D), "[" + type for arrays
 *              Java serialization stream: writeObject(Object[] args)
 *   answer   = int32 frame length, varlong correlation,
 *              Java serialization stream: writeObject(Throwable error), writeObject(Object value)
 * </pre>
 * Varints are protobuf-style (hawtbuf's {@code writeVarInt}): 7 bits per byte, low bits first.
 * One connection per call keeps each case independent. Stateless and thread-safe.
 */
final class FastbinClient {

    private static final Map<Class<?>, String> PRIMITIVES = Map.of(boolean.class, "Z", byte.class, "B",
            char.class, "C", short.class, "S", int.class, "I", long.class, "J", float.class, "F", double.class, "D");

    /** A refusal takes milliseconds, but an apply that got through could take seconds on a loaded machine. */
    private static final int CALL_TIMEOUT_MS = 60_000;

    private FastbinClient() {
    }

    /**
     * What a node answered: the call's error or its value, if the test JVM could deserialize them
     * ({@code decoded}), and always the whole answer frame as ISO-8859-1 {@code text}, which still
     * shows the messages when a class of the answer is not on the test class path.
     */
    record Answer(boolean decoded, Throwable error, Object value, String text) {

        /** @return whether the call failed, or might have (an answer that could not be decoded) */
        boolean failed() {
            return !decoded || error != null;
        }

        /** @return the error's class and message, or the raw text if no error could be decoded */
        String message() {
            return error != null ? error.getClass().getName() + ": " + error.getMessage() : text;
        }

        @Override
        public String toString() {
            return !decoded ? "undecoded answer " + text : error != null ? "error " + message() : "value " + value;
        }
    }

    /** @return fastbin's method signature, as {@code ClientInvokerImpl.getMethodData} encodes it */
    static String signature(String method, Class<?>... parameterTypes) {
        StringBuilder sb = new StringBuilder(method).append(',');
        for (int i = 0; i < parameterTypes.length; i++) {
            if (i != 0) {
                sb.append(',');
            }
            sb.append(encode(parameterTypes[i]));
        }
        return sb.toString();
    }

    private static String encode(Class<?> type) {
        if (type.isArray()) {
            return "[" + encode(type.getComponentType());
        }
        return type.isPrimitive() ? PRIMITIVES.get(type) : "L" + type.getName();
    }

    /**
     * Invokes a method of a remote service as fastbin's client would, and decodes the answer.
     *
     * @param signature from {@link #signature}
     * @throws IOException if the node closed the connection without an answer
     */
    static Answer call(int port, String service, String signature, Object... args) throws IOException {
        return decode(answer(port, frame(service, signature, serialize(args)), CALL_TIMEOUT_MS));
    }

    /** Sends an already serialized argument array (e.g. byte-patched) and decodes the answer. */
    static Answer callRaw(int port, String service, String signature, byte[] serializedArgs) throws IOException {
        return decode(answer(port, frame(service, signature, serializedArgs), CALL_TIMEOUT_MS));
    }

    /** A fastbin request frame: size, correlation, service id, method signature, then the arguments. */
    static byte[] frame(String service, String method, byte[] arguments) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeVarLong(body, 1);
        byte[] s = service.getBytes(StandardCharsets.UTF_8);
        writeVarLong(body, s.length);
        body.write(s);
        byte[] m = method.getBytes(StandardCharsets.UTF_8);
        writeVarLong(body, m.length);
        body.write(m);
        body.write(arguments);
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        new DataOutputStream(framed).writeInt(4 + body.size());
        body.writeTo(framed);
        return framed.toByteArray();
    }

    static void writeVarLong(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    static long readVarLong(DataInputStream in) throws IOException {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IOException("malformed varlong in the answer");
    }

    static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        return bytes.toByteArray();
    }

    /** Sends the bytes and returns the answer frame as ISO-8859-1 text, or "" if the node closed the connection. */
    static String exchange(int port, byte[] request) throws IOException {
        try {
            return new String(answer(port, request, 10_000), StandardCharsets.ISO_8859_1);
        } catch (EOFException | SocketException | SocketTimeoutException e) {
            return "";
        }
    }

    /** @return the answer frame without its length field */
    private static byte[] answer(int port, byte[] request, int timeoutMs) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(timeoutMs);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int size = in.readInt();
            assertTrue("answer frame size " + size, size > 4 && size < 4_000_000);
            byte[] answer = new byte[size - 4];
            in.readFully(answer);
            return answer;
        }
    }

    private static Answer decode(byte[] frame) throws IOException {
        String text = new String(frame, StandardCharsets.ISO_8859_1);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame));
        readVarLong(in);
        try (ObjectInputStream objects = new ObjectInputStream(in)) {
            Throwable error = (Throwable) objects.readObject();
            Object value = objects.readObject();
            return new Answer(true, error, value, text);
        } catch (ClassNotFoundException | IOException | ClassCastException e) {
            // Not decodable here: the raw text still holds the message for the assertions.
            return new Answer(false, null, null, text);
        }
    }
}
