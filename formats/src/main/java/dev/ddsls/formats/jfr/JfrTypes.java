package dev.ddsls.formats.jfr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The types a JFR chunk declares in its metadata event: for each type id, its name and fields in encoding order.
 * Enough to read the values ddsls needs and to skip every other value (constant pool entries carry no size).
 */
final class JfrTypes {
  /** How a field's value is encoded. */
  static final int BYTE = 0, VARINT = 1, FLOAT = 2, DOUBLE = 3, STRING = 4, POOL_REF = 5, STRUCT = 6;

  /** What a field holds, by its name, for the few fields ddsls reads (the readers also check the kind). */
  static final int OTHER = 0, FRAMES = 1, METHOD = 2, LINE = 3, TYPE = 4, NAME = 5, SYMBOL_STRING = 6, JAVA_NAME = 7,
      JAVA_THREAD_ID = 8, OS_THREAD_ID = 9, START_TIME = 10, STACK_TRACE = 11, SAMPLED_THREAD = 12, EVENT_THREAD = 13,
      SPAN_ID = 14, LOCAL_ROOT_SPAN_ID = 15, WEIGHT = 16, SAMPLES = 17, ENDPOINT = 18, SETTING_ID = 19, VALUE = 20,
      STATE = 21, DESCRIPTION = 22, OS_NAME = 23;

  static final class Type {
    final long id;
    final String name;
    final List<Field> fields = new ArrayList<>();
    /** {@link #fields} as an array, once the metadata is read. */
    Field[] all;

    Type(long id, String name) {
      this.id = id;
      this.name = name;
    }

    /** The index of field {@code name}, or -1. */
    int field(String fieldName) {
      for (int i = 0; i < fields.size(); i++) {
        if (fields.get(i).name.equals(fieldName)) return i;
      }
      return -1;
    }
  }

  static final class Field {
    final String name;
    final long typeId;
    final boolean pooled;
    final boolean array;
    final int role;
    int kind;
    Type struct;

    Field(String name, long typeId, boolean pooled, boolean array) {
      this.name = name;
      this.typeId = typeId;
      this.pooled = pooled;
      this.array = array;
      this.role = role(name);
    }
  }

  private static int role(String fieldName) {
    switch (fieldName) {
      case "frames": return FRAMES;
      case "method": return METHOD;
      case "lineNumber": return LINE;
      case "type": return TYPE;
      case "name": return NAME;
      case "string": return SYMBOL_STRING;
      case "javaName": return JAVA_NAME;
      case "osName": return OS_NAME;
      case "javaThreadId": return JAVA_THREAD_ID;
      case "osThreadId": return OS_THREAD_ID;
      case "startTime": return START_TIME;
      case "stackTrace": return STACK_TRACE;
      case "sampledThread": return SAMPLED_THREAD;
      case "eventThread": return EVENT_THREAD;
      case "spanId": return SPAN_ID; // dd-trace-java's profiler (ddprof)
      case "localRootSpanId": return LOCAL_ROOT_SPAN_ID;
      case "weight": return WEIGHT;
      case "samples": return SAMPLES; // async-profiler's wall-clock batches
      case "endpoint": return ENDPOINT;
      case "id": return SETTING_ID; // jdk.ActiveSetting: the id of the event type the setting is for
      case "value": return VALUE;
      case "state": return STATE; // async-profiler's wall-clock samples: the thread's state
      case "description": return DESCRIPTION; // jdk.types.FrameType: Interpreted, JIT compiled, Inlined, Native, C++
      default: return OTHER;
    }
  }

  final LongMap<Type> byId = new LongMap<>();
  final Map<String, Type> byName = new HashMap<>();

  /** Reads the metadata event at {@code in.pos}: header, string table, then the element tree. */
  static JfrTypes read(JfrInput in) {
    JfrTypes t = new JfrTypes();
    in.varint(); // size
    if (in.varlong() != 0) throw new IllegalStateException("no metadata event at byte " + in.pos);
    in.varlong(); // start time
    in.varlong(); // duration
    in.varlong(); // metadata id
    String[] strings = new String[in.count("metadata string table")];
    for (int i = 0; i < strings.length; i++) strings[i] = in.string(null);
    new Elements(t, strings).element(in, null, 0);
    for (Type type : t.byName.values()) {
      for (Field f : type.fields) t.resolve(f);
      type.all = type.fields.toArray(new Field[0]);
    }
    return t;
  }

  /**
   * The element tree (name, attributes, children), keeping "class" elements and their "field" children. Names and
   * attribute keys are string-table indexes, compared as ints: a JDK recording declares thousands of elements.
   */
  private static final class Elements {
    final JfrTypes types;
    final String[] strings;
    final int classTag, fieldTag, nameKey, idKey, classKey, poolKey, dimensionKey;
    int[] attrs = new int[16];

    Elements(JfrTypes types, String[] strings) {
      this.types = types;
      this.strings = strings;
      List<String> list = Arrays.asList(strings);
      classTag = list.indexOf("class");
      fieldTag = list.indexOf("field");
      nameKey = list.indexOf("name");
      idKey = list.indexOf("id");
      classKey = list.indexOf("class");
      poolKey = list.indexOf("constantPool");
      dimensionKey = list.indexOf("dimension");
    }

    void element(JfrInput in, Type owner, int depth) {
      // The JDK's metadata is four levels deep (root, metadata, class, field, annotation); a deeper tree is corrupt.
      if (depth > MAX_DEPTH) throw new IllegalStateException("metadata nested over " + MAX_DEPTH + " levels at byte " + in.pos);
      int tag = in.varint();
      int n = in.count("metadata element attributes");
      if (2 * n > attrs.length) attrs = new int[2 * n];
      for (int i = 0; i < 2 * n; i++) attrs[i] = in.varint();
      Type type = null;
      if (tag == classTag) {
        type = new Type(Long.parseLong(attr(n, idKey)), attr(n, nameKey));
        types.byId.put(type.id, type);
        types.byName.put(type.name, type);
      } else if (tag == fieldTag && owner != null) {
        String dimension = attr(n, dimensionKey);
        owner.fields.add(new Field(attr(n, nameKey), Long.parseLong(attr(n, classKey)), "true".equals(attr(n, poolKey)),
            dimension != null && !"0".equals(dimension)));
      }
      for (int c = in.count("metadata element children"); c > 0; c--) element(in, type, depth + 1);
    }

    private String attr(int n, int key) {
      for (int i = 0; i < 2 * n; i += 2) {
        if (attrs[i] != key) continue;
        int s = attrs[i + 1];
        if (s < 0 || s >= strings.length) throw new IllegalStateException("metadata attribute refers to string " + s + " of " + strings.length);
        return strings[s];
      }
      return null;
    }
  }

  private void resolve(Field f) {
    if (f.pooled) {
      f.kind = POOL_REF;
      return;
    }
    Type type = byId.get(f.typeId);
    if (type == null) throw new IllegalStateException("field " + f.name + " has undeclared type " + f.typeId);
    switch (type.name) {
      case "boolean": case "byte": f.kind = BYTE; break;
      case "char": case "short": case "int": case "long": f.kind = VARINT; break;
      case "float": f.kind = FLOAT; break;
      case "double": f.kind = DOUBLE; break;
      case "java.lang.String": f.kind = STRING; break;
      default: f.kind = STRUCT; f.struct = type;
    }
  }

  /** Structs nest this deep at most; a type that holds itself by value (not by pool reference) is refused here. */
  static final int MAX_DEPTH = 32;

  /** Skips one value of field {@code f} (all elements when it is an array). */
  static void skip(JfrInput in, Field f) { skip(in, f, 0); }

  private static void skip(JfrInput in, Field f, int depth) {
    int n = f.array ? in.count("array of " + f.name) : 1;
    for (int i = 0; i < n; i++) skipOne(in, f, depth);
  }

  private static void skipOne(JfrInput in, Field f, int depth) {
    switch (f.kind) {
      case BYTE: in.pos++; break;
      case VARINT: case POOL_REF: in.varlong(); break;
      case FLOAT: in.pos += 4; break;
      case DOUBLE: in.pos += 8; break;
      case STRING: in.skipString(); break;
      default: skipStruct(in, f.struct, depth + 1);
    }
  }

  static void skipStruct(JfrInput in, Type type) { skipStruct(in, type, 0); }

  private static void skipStruct(JfrInput in, Type type, int depth) {
    if (depth > MAX_DEPTH) throw new IllegalStateException("type " + type.name + " nests over " + MAX_DEPTH + " levels at byte " + in.pos);
    List<Field> fields = type.fields;
    for (int i = 0, n = fields.size(); i < n; i++) skip(in, fields.get(i), depth);
  }
}
