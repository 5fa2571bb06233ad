package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

class SerialFilterGuardTest {

  @Test
  void factory_insideCall_rejectsEveryClass() {
    SerialFilterGuard.requireInstalled();
    BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();

    ObjectInputFilter inside =
        SerialFilterGuard.call(() -> factory.apply(null, ObjectInputFilter.Config.getSerialFilter()));

    assertThat(inside).isNotNull();
    for (Class<?> c : new Class<?>[] {String.class, Integer.class, java.util.HashMap.class}) {
      assertThat(inside.checkInput(new Info(c, 0))).as(c.getName())
          .isEqualTo(ObjectInputFilter.Status.REJECTED);
    }
  }

  @Test
  void factory_insideCall_rejectsStreamsOverLimits() {
    BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();

    ObjectInputFilter inside = SerialFilterGuard.call(() -> factory.apply(null, null));

    assertThat(inside.checkInput(new Info(null, 1000))).isEqualTo(ObjectInputFilter.Status.REJECTED);
  }

  @Test
  void factory_outsideCall_leavesStreamsToPreviousFactory() {
    BinaryOperator<ObjectInputFilter> factory = ObjectInputFilter.Config.getSerialFilterFactory();
    ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();

    ObjectInputFilter outside = factory.apply(null, global);

    assertThat(SerialFilterGuard.active()).isFalse();
    assertThat(outside).isSameAs(global);
  }

  /** What an ObjectInputStream reports to its filter. */
  private record Info(Class<?> serialClass, long depth) implements ObjectInputFilter.FilterInfo {
    @Override
    public long arrayLength() {
      return -1;
    }

    @Override
    public long references() {
      return 0;
    }

    @Override
    public long streamBytes() {
      return 0;
    }
  }
}
